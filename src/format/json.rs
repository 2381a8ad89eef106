use std::io;

use serde::Serialize;
use serde_json::json;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use crate::error::Error;
use crate::report::Report;

/// Pretty JSON with a final newline; a value that cannot be serialised is an error, never `{}`.
pub fn pretty<T: Serialize + ?Sized>(v: &T, what: &str) -> Result<String, Error> {
    let mut s = write(v, true, what)?;
    s.push('\n');
    Ok(s)
}

/// Compact JSON, as the JS API parses it (faster to write and to parse than `pretty`).
pub fn compact<T: Serialize + ?Sized>(v: &T, what: &str) -> Result<String, Error> {
    write(v, false, what)
}

/// Both layouts through one formatter type, so that each serialised type is compiled once: with
/// serde_json's two formatters the report's serialisation was compiled twice (WASM size).
pub(crate) fn write<T: Serialize + ?Sized>(v: &T, pretty: bool, what: &str) -> Result<String, Error> {
    let mut out = Vec::with_capacity(256);
    let layout = Layout(pretty.then(PrettyFormatter::new));
    v.serialize(&mut serde_json::Serializer::with_formatter(&mut out, layout))
        .map_err(|_| Error::Output { what: what.to_string() })?;
    // serde_json writes only valid UTF-8.
    String::from_utf8(out).map_err(|_| Error::Output { what: what.to_string() })
}

/// serde_json's pretty layout when it holds one, its compact layout otherwise (the compact
/// formatter's methods are the trait's defaults).
struct Layout(Option<PrettyFormatter<'static>>);

macro_rules! either_layout {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $name<W: ?Sized + io::Write>(&mut self, w: &mut W $(, $arg: $ty)*) -> io::Result<()> {
            match &mut self.0 {
                Some(p) => p.$name(w $(, $arg)*),
                None => CompactFormatter.$name(w $(, $arg)*),
            }
        })*
    };
}

impl Formatter for Layout {
    either_layout! {
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        begin_object_value();
        end_object_value();
    }
}

pub fn report(r: &Report) -> Result<String, Error> {
    pretty(r, "JSON report")
}

/// What an OPA policy's `deny`/`warn` rules would produce (conftest's shape).
pub fn opa(r: &Report) -> Result<String, Error> {
    pretty(&json!({ "deny": r.deny, "warn": r.warn }), "OPA result")
}
