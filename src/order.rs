//! Sorting through one instantiation of the standard library's sort. Every `sort_by` call site
//! with its own element type or comparator compiles its own copy of the sort (driftsort: several
//! KB of WASM each); sorting indices through a `dyn` comparator shares one. Stable, like
//! `slice::sort_by`. For the same reason maps and sets are built by inserting (`map`, `set`):
//! `collect()` into a `BTreeMap` sorts a `Vec` first, a copy of the sort per key and value type.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// `collect()` into a `BTreeMap` without its sort: one insert at a time (the maps here are small:
/// a cluster's keys, a plan's variables). As with `collect()`, a later value for a key wins.
pub fn map<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut m = BTreeMap::new();
    m.extend(pairs);
    m
}

/// `collect()` into a `BTreeSet` without its sort.
pub fn set<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut s = BTreeSet::new();
    s.extend(items);
    s
}

pub fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..v.len()).collect();
    sort_indices(&mut order, &|a, b| cmp(&v[a], &v[b]));
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(order.into_iter().filter_map(|i| slots.get_mut(i).and_then(Option::take)));
}

#[inline(never)]
fn sort_indices(order: &mut [usize], cmp: &dyn Fn(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| cmp(a, b));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably_like_the_standard_sort() {
        let mut v: Vec<(u8, &str)> = vec![(2, "a"), (1, "b"), (2, "c"), (0, "d"), (1, "e")];
        let mut expected = v.clone();
        expected.sort_by_key(|a| a.0);
        sort_by(&mut v, |a, b| a.0.cmp(&b.0));
        assert_eq!(v, expected);
        assert_eq!(v, [(0, "d"), (1, "b"), (1, "e"), (2, "a"), (2, "c")]);
        let mut empty: Vec<u8> = Vec::new();
        sort_by(&mut empty, u8::cmp);
        assert!(empty.is_empty());
    }

    #[test]
    fn maps_and_sets_are_built_like_collect() {
        let pairs = [("b", 1), ("a", 2), ("b", 3)];
        assert_eq!(map(pairs), pairs.into_iter().collect::<BTreeMap<_, _>>());
        assert_eq!(map(pairs)["b"], 3);
        assert_eq!(set(["b", "a", "b"]), ["b", "a", "b"].into_iter().collect::<BTreeSet<_>>());
    }
}
