//! The obligation schedule parser (JSON from the API and from stored rows) and its expansion:
//! any input parses or is refused without panicking, and an accepted schedule expands to
//! instants in order, inside the window, without running away.
#![no_main]

use chrono::Days;
use jobs::schedule::Schedule;
use libfuzzer_sys::fuzz_target;

// The first four bytes choose the window; the rest is the JSON (so JSON seeds work as they are,
// after four bytes of window).
fuzz_target!(|data: &[u8]| {
    let (window, json) = data.split_at(data.len().min(4));
    let mut w = [0u8; 4];
    w[..window.len()].copy_from_slice(window);
    let (offset, span) = (u16::from_le_bytes([w[0], w[1]]), u16::from_le_bytes([w[2], w[3]]));
    let Ok(schedule) = serde_json::from_slice::<Schedule>(json) else { return };
    let Some(from) = schedule.starts_on.checked_sub_days(Days::new(u64::from(offset % 400))) else { return };
    let Some(to) = from.checked_add_days(Days::new(u64::from(span % 800))) else { return };
    let due = schedule.due_between(from, to);
    assert!(due.windows(2).all(|w| w[0] < w[1]), "instants are strictly increasing");
    assert!(due.len() as u64 <= u64::from(span % 800) + 1, "at most one instant a day");
    let (start, end) = vigil::domain::orders::materialise_range(&schedule, from);
    assert!(start <= end && start >= schedule.starts_on, "the materialising window is ordered and starts with the schedule");
    let ahead = schedule.due_between(start, end);
    assert!(ahead.windows(2).all(|w| w[0] < w[1]), "instants ahead are strictly increasing");
});
