//! What the mock tests (`mock.rs`, `mock_matching.rs`) share.

/// The message of the panic `f` must raise (an httpmock `assert`, a mock refused at setup); `expected` says
/// why it should, for the failure when it does not.
pub(crate) fn panic_message<R>(expected: &str, f: impl FnOnce() -> R) -> String {
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .err()
        .unwrap_or_else(|| panic!("no panic, but expected one: {expected}"));
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}
