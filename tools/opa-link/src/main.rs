//! `opa-link IN.wasm OUT.wasm`: makes the engine's `--features opa-abi` build an OPA Wasm policy
//! (ABI 1.2, OPA's docs/content/wasm.md) that OPA's hosts load unchanged.
//!
//! rustc links a module that defines its own memory, fills it with active data segments at
//! instantiation and exports `__heap_base`/`__data_end`. OPA's hosts instead hand the policy an
//! imported `env.memory` of their choosing — `@open-policy-agent/opa-wasm` makes 5 pages, `opa build`
//! declares a minimum of 2 — and read the ABI version from exported *globals*. So:
//! - the memory becomes the import `env.memory`, minimum 2 pages, no maximum (the host's maximum
//!   is accepted), and stays exported (ABI 1.1);
//! - the data segments become passive, and a start function grows the memory to `__heap_base`
//!   and copies them in (`memory.init`), so they no longer have to fit the host's initial size;
//! - `opa_wasm_abi_version` = 1 and `opa_wasm_abi_minor_version` = 2 are added as constant globals;
//! - exports are exactly the ABI's; imports anything but the ABI's `env` functions is an error.

use std::process::ExitCode;

use walrus::ir::{BinaryOp, Value};
use walrus::{ConstExpr, DataKind, ExportItem, FunctionBuilder, ImportKind, Module, ValType};

const PAGE: u64 = 65536;
/// What `opa build` declares; `@open-policy-agent/opa-wasm` makes 5 pages, opa-wasmtime 2024.
const MIN_PAGES: u64 = 2;
const ABI_MINOR: i32 = 2;

const FUNCTIONS: &[&str] = &[
    "eval",
    "builtins",
    "entrypoints",
    "opa_eval_ctx_new",
    "opa_eval_ctx_set_input",
    "opa_eval_ctx_set_data",
    "opa_eval_ctx_set_entrypoint",
    "opa_eval_ctx_get_result",
    "opa_malloc",
    "opa_free",
    "opa_json_parse",
    "opa_value_parse",
    "opa_json_dump",
    "opa_value_dump",
    "opa_heap_ptr_set",
    "opa_heap_ptr_get",
    "opa_value_add_path",
    "opa_value_remove_path",
    "opa_eval",
];
const IMPORTS: &[&str] =
    &["opa_abort", "opa_println", "opa_builtin0", "opa_builtin1", "opa_builtin2", "opa_builtin3", "opa_builtin4"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output] = args.as_slice() else {
        eprintln!("usage: opa-link IN.wasm OUT.wasm");
        return ExitCode::from(2);
    };
    match link(input, output) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("opa-link: {e}");
            ExitCode::FAILURE
        }
    }
}

fn link(input: &str, output: &str) -> Result<(), String> {
    let mut m = Module::from_file(input).map_err(|e| format!("{input}: {e}"))?;

    // The heap starts at `__heap_base`: everything below (stack, then data) must exist before any
    // export runs.
    let heap_base = m
        .exports
        .iter()
        .find(|e| e.name == "__heap_base")
        .and_then(|e| match e.item {
            ExportItem::Global(g) => match m.globals.get(g).kind {
                walrus::GlobalKind::Local(ConstExpr::Value(Value::I32(v))) => Some(v as u32 as u64),
                _ => None,
            },
            _ => None,
        })
        .ok_or("no exported __heap_base: build with --features opa-abi for wasm32")?;

    let mems: Vec<_> = m.memories.iter().map(|mem| mem.id()).collect();
    let [memory] = mems.as_slice() else { return Err(format!("expected one memory, found {}", mems.len())) };
    let memory = *memory;
    if m.memories.get(memory).import.is_some() {
        return Err("the memory is already imported".into());
    }
    let import = m.imports.add("env", "memory", ImportKind::Memory(memory));
    {
        let mem = m.memories.get_mut(memory);
        mem.import = Some(import);
        mem.initial = MIN_PAGES;
        mem.maximum = None;
        mem.data_segments.clear();
    }

    // Active segments → passive, copied in by the start function.
    let mut segments = Vec::new();
    let ids: Vec<_> = m.data.iter().map(|d| d.id()).collect();
    for id in ids {
        let d = m.data.get_mut(id);
        if let DataKind::Active { offset, .. } = &d.kind {
            let ConstExpr::Value(Value::I32(at)) = *offset else {
                return Err("a data segment with a non-constant offset".into());
            };
            segments.push((id, at, d.value.len() as i32));
            d.kind = DataKind::Passive;
        }
    }
    let need_pages = heap_base.div_ceil(PAGE) as i32;
    let mut init = FunctionBuilder::new(&mut m.types, &[], &[]);
    init.name("opa_link_init_memory".into());
    let mut body = init.func_body();
    body.memory_size(memory).i32_const(need_pages).binop(BinaryOp::I32LtU).if_else(
        None,
        |grow| {
            // memory.grow returns -1 when the host's maximum is too small: trap, nothing can run.
            grow.i32_const(need_pages)
                .memory_size(memory)
                .binop(BinaryOp::I32Sub)
                .memory_grow(memory)
                .i32_const(-1)
                .binop(BinaryOp::I32Eq)
                .if_else(
                    None,
                    |fail| {
                        fail.unreachable();
                    },
                    |_| {},
                );
        },
        |_| {},
    );
    for (data, at, len) in &segments {
        body.i32_const(*at).i32_const(0).i32_const(*len).memory_init(memory, *data).data_drop(*data);
    }
    let init = init.finish(vec![], &mut m.funcs);
    if let Some(old) = m.start.replace(init) {
        return Err(format!("the module already has a start function ({old:?})"));
    }

    // Exports: exactly the ABI's.
    let stray: Vec<_> = m
        .exports
        .iter()
        .filter(|e| !(e.name == "memory" || FUNCTIONS.contains(&e.name.as_str())))
        .map(|e| e.id())
        .collect();
    for id in stray {
        m.exports.delete(id);
    }
    for name in FUNCTIONS {
        if !m.exports.iter().any(|e| e.name == *name && matches!(e.item, ExportItem::Function(_))) {
            return Err(format!("the ABI export {name} is missing"));
        }
    }
    for (name, value) in [("opa_wasm_abi_version", 1), ("opa_wasm_abi_minor_version", ABI_MINOR)] {
        let g = m.globals.add_local(ValType::I32, false, false, ConstExpr::Value(Value::I32(value)));
        m.exports.add(name, g);
    }
    for i in m.imports.iter() {
        let ok = i.module == "env"
            && match i.kind {
                ImportKind::Memory(_) => i.name == "memory",
                ImportKind::Function(_) => IMPORTS.contains(&i.name.as_str()),
                _ => false,
            };
        if !ok {
            return Err(format!("import {}.{} is not part of the OPA ABI", i.module, i.name));
        }
    }
    walrus::passes::gc::run(&mut m);
    m.emit_wasm_file(output).map_err(|e| format!("{output}: {e}"))
}
