//! Prints the report of one plan with its configuration directory:
//! `cargo run --example check_config -- PLAN.json DIR [--format F]`.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (plan, dir) = (&args[0], &args[1]);
    let format = args.get(3).cloned().unwrap_or_else(|| "text".into());
    let mut files = std::collections::BTreeMap::new();
    fn walk(root: &std::path::Path, at: &std::path::Path, out: &mut std::collections::BTreeMap<String, String>) {
        for e in std::fs::read_dir(at).unwrap().flatten() {
            let p = e.path();
            let n = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() && !n.starts_with('.') {
                walk(root, &p, out);
            } else if n.ends_with(".tf") || n.ends_with(".tf.json") {
                out.insert(
                    p.strip_prefix(root).unwrap().to_string_lossy().into_owned(),
                    std::fs::read_to_string(&p).unwrap(),
                );
            }
        }
    }
    walk(std::path::Path::new(dir), std::path::Path::new(dir), &mut files);
    let opts = serde_json::json!({ "config": files }).to_string();
    let mut s = etcd_backup_policy::Session::new(etcd_backup_policy::Options::from_json(&opts).unwrap());
    if let Err(e) = s.add_plan(plan, &std::fs::read(plan).unwrap()) {
        eprintln!("{e}");
        std::process::exit(2);
    }
    print!("{}", s.render(&format).unwrap());
}
