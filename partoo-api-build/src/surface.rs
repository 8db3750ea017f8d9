//! The API surface file (`openapi/partoo.api.md`): one line per operation, so that every spec change shows
//! up as a small, reviewable diff of what the client offers.

use std::fmt::Write as _;

use crate::Generated;

/// Renders the surface as a Markdown table sorted by path, then method.
pub fn surface_markdown(generated: &Generated) -> String {
    let mut rows: Vec<&crate::Operation> = generated.operations.iter().collect();
    rows.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    let mut out = String::new();
    out.push_str("# API surface of the generated client\n\n");
    out.push_str(
        "Written by `cargo xtask codegen`; checked by `cargo test`. Do not edit by hand.\n\n",
    );
    let _ = writeln!(out, "{}\n", generated.counts_line());
    out.push_str("| method | path | Rust method | parameters | body | success type |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for m in rows {
        let name = if m.deprecated {
            format!("`{}` (deprecated)", m.rust_name)
        } else {
            format!("`{}`", m.rust_name)
        };
        let params = if m.parameters.is_empty() {
            "-".to_owned()
        } else {
            let described: Vec<String> = m
                .parameters
                .iter()
                .map(crate::Parameter::describe)
                .collect();
            described.join("; ")
        };
        let _ = writeln!(
            out,
            "| {} | `{}` | {name} | {params} | {} | `{}` |",
            m.method,
            m.path,
            if m.has_body { "yes" } else { "-" },
            m.success_type
        );
    }
    out
}
