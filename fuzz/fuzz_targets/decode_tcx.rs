//! Fuzz `decode_bytes(Format::Tcx, …)`: whatever the bytes, it returns (no
//! panic gets out, no hang, bounded memory). See `common` for the panic policy.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tendonwatch::decode::{Format, decode_bytes};

fuzz_target!(init: common::install_panic_policy(), |data: &[u8]| {
    let result = common::no_panic_escapes("decode_bytes(Format::Tcx)", || {
        decode_bytes(Format::Tcx, data)
    });
    let _ = std::hint::black_box(result);
});
