//! The real hcs-cli (tests/clients/horizon/hcs_cli_flow.py): its command line and the library calls its
//! image plan makes, unchanged, against the emulator.

use super::ADMIN_A;
use crate::common::{run_client, Server};

#[tokio::test]
async fn hcs_cli_lists_reads_imports_publishes_and_deletes() {
    let s = Server::start().await;
    let out = run_client(&s, "horizon/hcs_cli_flow.py", &[ADMIN_A]).await;
    assert!(out.contains("hcs-cli flow: all checks passed"), "{out}");
    let imports = s.journal("operation=horizon.image.create").await;
    assert_eq!(imports.len(), 1, "the client created one image through the emulator");
}
