//! Request log output. One line per request is part of the product, but a write (and, with a background
//! writer thread, a wake-up) per line cost a fifth of the throughput on a 2-core machine. Lines are formatted
//! on the request thread into a shared buffer that a flusher thread writes out every 100 ms (or sooner when
//! 64 KiB fill up), and once more at shutdown.

use std::io::{self, BufWriter, Stdout, Write};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone)]
pub struct BufferedStdout {
    inner: Arc<Mutex<BufWriter<Stdout>>>,
}

/// Flushes what is still buffered when dropped (at the end of `serve`).
pub struct FlushGuard(BufferedStdout);

impl Drop for FlushGuard {
    fn drop(&mut self) {
        let _ = self.0.lock().flush();
    }
}

impl BufferedStdout {
    pub fn start() -> (BufferedStdout, FlushGuard) {
        let out = BufferedStdout { inner: Arc::new(Mutex::new(BufWriter::with_capacity(64 * 1024, io::stdout()))) };
        let weak = Arc::downgrade(&out.inner);
        std::thread::Builder::new()
            .name("log-flush".into())
            .spawn(move || loop {
                std::thread::sleep(Duration::from_millis(100));
                let Some(inner) = weak.upgrade() else { return };
                let _ = inner.lock().unwrap_or_else(|e| e.into_inner()).flush();
            })
            .ok();
        (out.clone(), FlushGuard(out))
    }

    fn lock(&self) -> MutexGuard<'_, BufWriter<Stdout>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub struct LineWriter<'a>(MutexGuard<'a, BufWriter<Stdout>>);

impl Write for LineWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        // Flushing per line is what this writer exists to avoid; the flusher thread does it.
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BufferedStdout {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LineWriter(self.lock())
    }
}
