//! Prints the report of plan files: `cargo run --example dump -- PLAN.json... [--format F]`.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut format = "text".to_string();
    let mut s = etcd_backup_policy::Session::new(Default::default());
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--format" {
            format = it.next().cloned().unwrap_or_default();
            continue;
        }
        let text = std::fs::read(a).expect("read");
        if let Err(e) = s.add_plan(a, &text) {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
    print!("{}", s.render(&format).unwrap());
}
