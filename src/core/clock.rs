//! The product clock. Every delay in mockcloud (lifecycle steps, injected latency, held responses) reads it,
//! so a test can run a 40-minute publish in one admin call.
//!
//! Product time is kept as milliseconds since the clock started ("ticks"); wall-clock dates are
//! `start_wall + ticks`, so a virtual clock starts at the real time of start-up and the dates it stamps look
//! current to clients that compare them with their own clock.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::watch;

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClockMode {
    Real,
    Virtual,
}

#[derive(Debug, thiserror::Error)]
#[error("the clock is not virtual: time can only be advanced when the server runs with --clock virtual")]
pub struct NotVirtual;

pub struct Clock {
    mode: ClockMode,
    /// Product seconds per real second is `1 / scale`: `--time-scale 0.01` makes a 100 s step take 1 s.
    scale: f64,
    start_wall: DateTime<Utc>,
    start_instant: Instant,
    virtual_ticks: AtomicU64,
    /// Wakes tasks that wait on product time whenever the virtual clock moves.
    ticks_tx: watch::Sender<u64>,
}

impl Clock {
    pub fn new(mode: ClockMode, scale: f64) -> Clock {
        let (ticks_tx, _) = watch::channel(0);
        Clock {
            mode,
            scale: if scale > 0.0 { scale } else { 1.0 },
            start_wall: Utc::now(),
            start_instant: Instant::now(),
            virtual_ticks: AtomicU64::new(0),
            ticks_tx,
        }
    }

    pub fn mode(&self) -> ClockMode {
        self.mode
    }

    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// Product milliseconds since start.
    pub fn ticks(&self) -> u64 {
        match self.mode {
            ClockMode::Virtual => self.virtual_ticks.load(Ordering::Acquire),
            ClockMode::Real => (self.start_instant.elapsed().as_secs_f64() * 1000.0 / self.scale) as u64,
        }
    }

    /// The product's idea of "now" as a date.
    pub fn now(&self) -> DateTime<Utc> {
        self.date_at(self.ticks())
    }

    pub fn date_at(&self, ticks: u64) -> DateTime<Utc> {
        self.start_wall + chrono::Duration::milliseconds(ticks as i64)
    }

    pub fn started_at(&self) -> DateTime<Utc> {
        self.start_wall
    }

    /// Real time that a product duration takes under this clock (None under the virtual clock).
    pub fn real_duration(&self, product: Duration) -> Option<Duration> {
        match self.mode {
            ClockMode::Virtual => None,
            ClockMode::Real => Some(product.mul_f64(self.scale)),
        }
    }

    /// Moves the virtual clock to `ticks` (never backwards). Used by the lifecycle engine, which steps the
    /// clock through each due step so that what a step stamps carries that step's time.
    pub(crate) fn set_virtual_ticks(&self, ticks: u64) -> Result<(), NotVirtual> {
        if self.mode != ClockMode::Virtual {
            return Err(NotVirtual);
        }
        let prev = self.virtual_ticks.fetch_max(ticks, Ordering::AcqRel);
        if ticks > prev {
            self.ticks_tx.send_replace(ticks);
        }
        Ok(())
    }

    /// Waits until product time reaches `ticks`.
    pub async fn sleep_until(&self, ticks: u64) {
        match self.mode {
            ClockMode::Real => {
                let now = self.ticks();
                if ticks > now {
                    let real = Duration::from_millis(ticks - now).mul_f64(self.scale);
                    tokio::time::sleep(real).await;
                }
            }
            ClockMode::Virtual => {
                let mut rx = self.ticks_tx.subscribe();
                while self.ticks() < ticks {
                    if rx.changed().await.is_err() {
                        return;
                    }
                }
            }
        }
    }

    pub async fn sleep(&self, product: Duration) {
        let target = self.ticks() + product.as_millis() as u64;
        self.sleep_until(target).await
    }

    /// Real elapsed time since start, for uptime.
    pub fn uptime(&self) -> Duration {
        self.start_instant.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_clock_only_moves_forward_on_request() {
        let c = Clock::new(ClockMode::Virtual, 1.0);
        assert_eq!(c.ticks(), 0);
        c.set_virtual_ticks(5000).unwrap();
        c.set_virtual_ticks(10).unwrap();
        assert_eq!(c.ticks(), 5000);
        assert_eq!((c.now() - c.started_at()).num_milliseconds(), 5000);
    }

    #[test]
    fn real_clock_refuses_manual_moves() {
        let c = Clock::new(ClockMode::Real, 0.01);
        assert!(c.set_virtual_ticks(5).is_err());
        assert_eq!(c.real_duration(Duration::from_secs(100)), Some(Duration::from_secs(1)));
    }
}
