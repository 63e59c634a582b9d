//! The hardened systemd unit in `deploy/systemd/` is valid and stays hardened: `systemd-analyze
//! verify` accepts it without a single warning (an unknown or misspelt setting is only a warning
//! to systemd, so any output fails here), and `systemd-analyze security` rates its exposure at
//! 2.0 or lower ("OK"). The unit is checked with its `ExecStart` pointed at the binary this
//! test run built.

use std::process::Command;

#[test]
fn the_systemd_unit_verifies_cleanly_and_is_rated_ok() {
    let unit = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/systemd/vigil.service")).unwrap();
    for setting in ["ProtectSystem=strict", "NoNewPrivileges=yes", "ReadOnlyPaths=/etc/vigil", "User=vigil", "CapabilityBoundingSet=\n"] {
        assert!(unit.contains(setting), "the unit keeps {setting:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vigil.service");
    std::fs::write(&path, unit.replace("/usr/local/bin/vigil", env!("CARGO_BIN_EXE_vigil"))).unwrap();

    let verify = Command::new("systemd-analyze").arg("verify").arg(&path).output().expect("systemd-analyze is installed (Debian: systemd)");
    let said = String::from_utf8_lossy(&verify.stderr);
    assert!(verify.status.success() && said.trim().is_empty(), "systemd-analyze verify: {said}");

    let security =
        Command::new("systemd-analyze").args(["security", "--offline=true", "--threshold=20", "--no-pager"]).arg(&path).output().unwrap();
    let report = String::from_utf8_lossy(&security.stdout);
    assert!(security.status.success() && report.contains("Overall exposure level"), "exposure above 2.0:\n{report}");
}
