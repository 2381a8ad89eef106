//! The OPA Wasm ABI surface (`policy.wasm`; OPA's docs/content/wasm.md, ABI 1.2): the exports of a
//! policy compiled by `opa build -t wasm`, over `policy` and the one engine. Built for wasm32 with
//! `--features opa-abi` (no wasm-bindgen surface, no JS imports); `tools/opa-link` then imports the
//! memory from `env` and adds the ABI version globals (Makefile `build`).
//!
//! Decisions the ABI leaves to the policy:
//! - The heap is a bump allocator over the host's memory. `opa_heap_ptr_set` rewinds it and so
//!   really frees everything above; `opa_free` returns only the most recent block. The host may
//!   write (the input) above the heap pointer, as the ABI's `opa_eval` fast path does.
//! - A value is JSON text (validated, parsed when needed) or a parsed JSON value. Sets never occur
//!   in what the host hands in; `deny` and `warn` come out as sorted arrays without duplicates in
//!   both output formats (`opa_value_parse` takes JSON; Rego set literals are a parse error).
//! - Errors (a plan that cannot be read, a malformed data document, no input, an unknown
//!   entrypoint) call `opa_abort` with the engine's one-line message, which every host raises:
//!   the gate fails closed instead of seeing an empty `deny`.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use serde_json::Value as Json;

use crate::policy;

// ---- the heap ----------------------------------------------------------------------------------

const PAGE: u64 = 65536;

extern "C" {
    /// Set by the linker: the end of the stack and static data.
    static __heap_base: u8;
}

/// The next free byte; 0 until first used.
static TOP: AtomicUsize = AtomicUsize::new(0);

fn top() -> usize {
    match TOP.load(Relaxed) {
        0 => core::ptr::addr_of!(__heap_base) as usize,
        t => t,
    }
}

/// Grows the memory so that `end` is inside it.
fn reserve(end: usize) -> bool {
    let have = wasm32::memory_size(0) as u64 * PAGE;
    let end = end as u64;
    end <= have || wasm32::memory_grow(0, (end - have).div_ceil(PAGE) as usize) != usize::MAX
}

struct BumpHeap;

unsafe impl GlobalAlloc for BumpHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let start = (top() + layout.align() - 1) & !(layout.align() - 1);
        match start.checked_add(layout.size()) {
            Some(end) if reserve(end) => {
                TOP.store(end, Relaxed);
                start as *mut u8
            }
            _ => core::ptr::null_mut(),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ptr as usize + layout.size() == top() {
            TOP.store(ptr as usize, Relaxed);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // The most recent block grows in place: a growing Vec does not leave copies behind.
        if ptr as usize + layout.size() == top() {
            return match (ptr as usize).checked_add(new_size) {
                Some(end) if reserve(end) => {
                    TOP.store(end, Relaxed);
                    ptr
                }
                _ => core::ptr::null_mut(),
            };
        }
        let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
        if !new.is_null() {
            core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
        }
        new
    }
}

#[global_allocator]
static HEAP: BumpHeap = BumpHeap;

// ---- host imports ------------------------------------------------------------------------------

#[link(wasm_import_module = "env")]
extern "C" {
    /// Raises the null-terminated message at `addr` in the host; does not return.
    fn opa_abort(addr: *const u8);
}

fn abort(message: &str) -> ! {
    let mut text = message.replace('\0', " ").into_bytes();
    text.push(0);
    unsafe { opa_abort(text.as_ptr()) };
    wasm32::unreachable()
}

// ---- values ------------------------------------------------------------------------------------

/// What a `value_addr` points at.
enum Value {
    /// JSON text in the shared memory (the host's input and data, a result), checked when it
    /// became a value (UTF-8 and JSON).
    Text(&'static str),
    Json(Json),
}

impl Value {
    fn json(&mut self) -> &mut Json {
        if let Value::Text(t) = self {
            // Validated when it became a value.
            *self = Value::Json(read(t));
        }
        match self {
            Value::Json(j) => j,
            Value::Text(_) => unreachable!(),
        }
    }

    fn to_json(&self) -> Json {
        match self {
            Value::Text(t) => read(t),
            Value::Json(j) => j.clone(),
        }
    }
}

/// A value's text as JSON (checked when it became a value). Read as `str`, as the engine reads
/// plans: one copy of serde_json's reader in the module, not two.
fn read(text: &str) -> Json {
    serde_json::from_str(text).unwrap_or(Json::Null)
}

/// A value as compact JSON text, through the engine's own writer (one copy of it in the module).
fn text_of(j: &Json) -> Option<Vec<u8>> {
    crate::format::json::compact(j, "value").ok().map(String::into_bytes)
}

fn new_value(v: Value) -> i32 {
    Box::into_raw(Box::new(v)) as i32
}

/// # Safety: `addr` is 0 or came from `new_value`.
unsafe fn value<'a>(addr: i32) -> Option<&'a mut Value> {
    (addr != 0).then(|| &mut *(addr as usize as *mut Value))
}

/// # Safety: `len` bytes at `addr` are the host's.
unsafe fn bytes(addr: i32, len: i32) -> &'static [u8] {
    match usize::try_from(len) {
        Ok(0) | Err(_) => &[],
        Ok(n) => core::slice::from_raw_parts(addr as usize as *const u8, n),
    }
}

/// A null-terminated copy of `text` in the heap.
fn c_string(mut text: Vec<u8>) -> i32 {
    text.push(0);
    text.leak().as_ptr() as i32
}

fn parse(addr: i32, len: i32) -> i32 {
    let text = unsafe { bytes(addr, len) };
    match std::str::from_utf8(text) {
        Ok(t) if serde_json::from_str::<serde::de::IgnoredAny>(t).is_ok() => new_value(Value::Text(t)),
        _ => 0,
    }
}

fn dump(addr: i32) -> i32 {
    match unsafe { value(addr) } {
        None => c_string(b"null".to_vec()),
        Some(Value::Text(t)) => c_string(t.as_bytes().to_vec()),
        Some(Value::Json(j)) => c_string(text_of(j).unwrap_or_else(|| b"null".to_vec())),
    }
}

/// Runs the engine: the result set as JSON text, or `opa_abort`.
fn run(entrypoint: i32, data: Option<&Value>, input: Option<&[u8]>) -> String {
    // The heap may have been rewound since the last evaluation: caches in it are gone.
    crate::settings::forget_cache();
    let data = data.map(Value::to_json);
    match policy::evaluate(entrypoint, data.as_ref(), input) {
        Ok(result) => result,
        Err(e) => abort(&e.to_string()),
    }
}

// ---- exports -----------------------------------------------------------------------------------

#[no_mangle]
pub extern "C" fn opa_malloc(size: i32) -> i32 {
    let layout = Layout::from_size_align(size.max(0) as usize, 8).unwrap_or(Layout::new::<u64>());
    let p = unsafe { HEAP.alloc(layout) };
    if p.is_null() {
        abort("out of memory");
    }
    p as i32
}

#[no_mangle]
pub extern "C" fn opa_free(_addr: i32) {
    // Bump heap: space comes back when the host rewinds it with opa_heap_ptr_set.
}

#[no_mangle]
pub extern "C" fn opa_heap_ptr_get() -> i32 {
    top() as i32
}

#[no_mangle]
pub extern "C" fn opa_heap_ptr_set(addr: i32) {
    TOP.store(addr as u32 as usize, Relaxed);
}

#[no_mangle]
pub extern "C" fn opa_json_parse(addr: i32, len: i32) -> i32 {
    parse(addr, len)
}

#[no_mangle]
pub extern "C" fn opa_value_parse(addr: i32, len: i32) -> i32 {
    parse(addr, len)
}

#[no_mangle]
pub extern "C" fn opa_json_dump(addr: i32) -> i32 {
    dump(addr)
}

#[no_mangle]
pub extern "C" fn opa_value_dump(addr: i32) -> i32 {
    dump(addr)
}

#[no_mangle]
pub extern "C" fn opa_value_add_path(base: i32, path: i32, value_addr: i32) -> i32 {
    let (Some(base), Some(path), Some(v)) =
        (unsafe { value(base) }, unsafe { value(path) }, unsafe { value(value_addr) })
    else {
        return policy::ERR_INVALID_TYPE;
    };
    let v = core::mem::replace(v.json(), Json::Null);
    policy::add_path(base.json(), &path.to_json(), v)
}

#[no_mangle]
pub extern "C" fn opa_value_remove_path(base: i32, path: i32) -> i32 {
    let (Some(base), Some(path)) = (unsafe { value(base) }, unsafe { value(path) }) else {
        return policy::ERR_INVALID_TYPE;
    };
    policy::remove_path(base.json(), &path.to_json())
}

#[no_mangle]
pub extern "C" fn builtins() -> i32 {
    new_value(Value::Json(Json::Object(Default::default())))
}

#[no_mangle]
pub extern "C" fn entrypoints() -> i32 {
    new_value(Value::Json(policy::entrypoints_json()))
}

/// An evaluation context (ABI 1.0's slow path).
#[repr(C)]
struct Context {
    input: i32,
    data: i32,
    entrypoint: i32,
    result: i32,
}

/// # Safety: `ctx` came from `opa_eval_ctx_new`.
unsafe fn context<'a>(ctx: i32) -> &'a mut Context {
    if ctx == 0 {
        abort("no evaluation context");
    }
    &mut *(ctx as usize as *mut Context)
}

#[no_mangle]
pub extern "C" fn opa_eval_ctx_new() -> i32 {
    Box::into_raw(Box::new(Context { input: 0, data: 0, entrypoint: 0, result: 0 })) as i32
}

#[no_mangle]
pub extern "C" fn opa_eval_ctx_set_input(ctx: i32, input: i32) {
    unsafe { context(ctx) }.input = input;
}

#[no_mangle]
pub extern "C" fn opa_eval_ctx_set_data(ctx: i32, data: i32) {
    unsafe { context(ctx) }.data = data;
}

#[no_mangle]
pub extern "C" fn opa_eval_ctx_set_entrypoint(ctx: i32, entrypoint: i32) {
    unsafe { context(ctx) }.entrypoint = entrypoint;
}

#[no_mangle]
pub extern "C" fn opa_eval_ctx_get_result(ctx: i32) -> i32 {
    unsafe { context(ctx) }.result
}

#[no_mangle]
pub extern "C" fn eval(ctx: i32) -> i32 {
    let c = unsafe { context(ctx) };
    let input = match unsafe { value(c.input) } {
        None => None,
        Some(Value::Text(t)) => Some(t.as_bytes().to_vec()),
        Some(Value::Json(j)) => Some(text_of(j).unwrap_or_default()),
    };
    let result = run(c.entrypoint, unsafe { value(c.data) }.map(|d| &*d), input.as_deref());
    c.result = new_value(Value::Text(result.leak()));
    0
}

/// ABI 1.2's one-call evaluation: the input is JSON text the host wrote at `input`, the heap
/// restarts at `heap_ptr` (past the input); returns the result set as null-terminated JSON.
#[no_mangle]
pub extern "C" fn opa_eval(
    _reserved: i32,
    entrypoint: i32,
    data: i32,
    input: i32,
    input_len: i32,
    heap_ptr: i32,
    _format: i32,
) -> i32 {
    opa_heap_ptr_set(heap_ptr);
    let input = (input != 0).then(|| unsafe { bytes(input, input_len) });
    c_string(run(entrypoint, unsafe { value(data) }.map(|d| &*d), input).into_bytes())
}
