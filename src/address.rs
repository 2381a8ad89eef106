//! Module instance addresses: `module.platform["eu"].module.k8s[0]`.

/// One `module.NAME[KEY]` step; `key` is the bracket text as written (`"prod"` or `0`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Step {
    pub name: String,
    pub key: Option<String>,
}

/// Splits a module address into its steps. Anything after the module steps (a resource) is ignored.
pub fn module_steps(address: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let name_end = after.find(['.', '[']).unwrap_or(after.len());
        let name = after[..name_end].to_string();
        let mut tail = &after[name_end..];
        let mut key = None;
        if tail.starts_with('[') {
            match bracket_end(tail) {
                Some(end) => {
                    key = Some(tail[1..end].to_string());
                    tail = &tail[end + 1..];
                }
                None => break,
            }
        }
        steps.push(Step { name, key });
        rest = tail.strip_prefix('.').unwrap_or("");
    }
    steps
}

/// Index of the `]` closing the bracket at the start of `s`, honouring quoted keys.
fn bracket_end(s: &str) -> Option<usize> {
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_str => escaped = true,
            '"' => in_str = !in_str,
            ']' if !in_str => return Some(i),
            _ => {}
        }
    }
    None
}

pub fn render(steps: &[Step]) -> String {
    let mut s = String::new();
    for (i, st) in steps.iter().enumerate() {
        if i > 0 {
            s.push('.');
        }
        s.push_str("module.");
        s.push_str(&st.name);
        if let Some(k) = &st.key {
            s.push('[');
            s.push_str(k);
            s.push(']');
        }
    }
    s
}

/// The instance prefix of `address` for the module call path `call` (names only), if it is inside it.
pub fn instance_of(address: &str, call: &[String]) -> Option<Vec<Step>> {
    let steps = module_steps(address);
    if steps.len() < call.len() {
        return None;
    }
    if steps.iter().zip(call).all(|(s, c)| &s.name == c) {
        Some(steps[..call.len()].to_vec())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys_and_nesting() {
        let s = module_steps(r#"module.platform["eu.west [1]"].module.k8s[0].terraform_data.x["a"]"#);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].key.as_deref(), Some(r#""eu.west [1]""#));
        assert_eq!(s[1].name, "k8s");
        assert_eq!(s[1].key.as_deref(), Some("0"));
        assert_eq!(render(&s), r#"module.platform["eu.west [1]"].module.k8s[0]"#);
    }

    #[test]
    fn matches_instances_of_a_call() {
        let call = vec!["platform".to_string(), "k8s".to_string()];
        let i = instance_of("module.platform.module.k8s.module.inner.terraform_data.a", &call).unwrap();
        assert_eq!(render(&i), "module.platform.module.k8s");
        assert!(instance_of("module.k8s.terraform_data.a", &call).is_none());
        assert!(instance_of("terraform_data.a", &call).is_none());
    }
}
