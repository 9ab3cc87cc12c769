//! A series thinned as it is stored, so its memory is bounded however long it grows.
//!
//! [`Thinned`] keeps the items pushed at indices `0, s, 2s, …` for a stride `s` that
//! starts at 1, plus the latest item. When more than `cap` items are kept, every other
//! one is dropped (those at odd multiples of `s`) and `s` doubles: so at most `cap + 1`
//! items are kept, at least `cap / 2` once the series is longer than `cap`, spaced
//! evenly, always with the first and the latest item. A series of at most `cap` items
//! is kept whole.

use serde::{Serialize, Serializer};

/// An evenly thinned series with at most `cap + 1` items: see the module docs.
#[derive(Clone, Debug, PartialEq)]
pub struct Thinned<T> {
    /// `(index, item)` pairs, oldest first.
    items: Vec<(usize, T)>,
    cap: usize,
    stride: usize,
    pushed: usize,
}

impl<T> Thinned<T> {
    /// An empty series that keeps at most `cap + 1` items (`cap ≥ 2`).
    pub fn new(cap: usize) -> Thinned<T> {
        Thinned {
            items: Vec::new(),
            cap: cap.max(2),
            stride: 1,
            pushed: 0,
        }
    }

    /// Appends the next item (index = the number pushed before it). A previous latest
    /// item off the stride is replaced; past `cap` items the stride doubles.
    pub fn push(&mut self, item: T) {
        let index = self.pushed;
        self.pushed += 1;
        if self.items.last().is_some_and(|(i, _)| i % self.stride != 0) {
            self.items.pop();
        }
        self.items.push((index, item));
        if self.items.len() > self.cap {
            let stride = 2 * self.stride;
            let last = index;
            self.items.retain(|(i, _)| i % stride == 0 || *i == last);
            self.stride = stride;
        }
    }

    /// The kept items, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator + Clone {
        self.items.iter().map(|(_, t)| t)
    }

    /// The first item pushed (always kept).
    pub fn first(&self) -> Option<&T> {
        self.items.first().map(|(_, t)| t)
    }

    /// The latest item pushed (always kept).
    pub fn last(&self) -> Option<&T> {
        self.items.last().map(|(_, t)| t)
    }

    /// The latest item pushed, to amend.
    pub fn last_mut(&mut self) -> Option<&mut T> {
        self.items.last_mut().map(|(_, t)| t)
    }

    /// Items kept.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Items pushed in all, kept or not.
    pub fn pushed(&self) -> usize {
        self.pushed
    }

    /// The kept items, cloned into a vector.
    pub fn to_vec(&self) -> Vec<T>
    where
        T: Clone,
    {
        self.iter().cloned().collect()
    }
}

/// Serializes as the sequence of kept items.
impl<T: Serialize> Serialize for Thinned<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_series_are_kept_whole() {
        let mut t = Thinned::new(8);
        for i in 0..8 {
            t.push(i);
        }
        assert_eq!(t.to_vec(), (0..8).collect::<Vec<_>>());
    }

    #[test]
    fn long_series_stay_bounded_even_and_keep_both_ends() {
        for cap in [2, 3, 8, 100] {
            let mut t = Thinned::new(cap);
            for n in 1..5000usize {
                t.push(n - 1);
                let kept = t.to_vec();
                assert!(kept.len() <= cap + 1, "cap {cap}, n {n}: {}", kept.len());
                if n > cap {
                    assert!(kept.len() >= cap / 2, "cap {cap}, n {n}: {}", kept.len());
                }
                assert_eq!(kept[0], 0);
                assert_eq!(*kept.last().unwrap(), n - 1, "the latest is kept");
                let gaps: Vec<usize> = kept[..kept.len() - 1]
                    .windows(2)
                    .map(|w| w[1] - w[0])
                    .collect();
                assert!(gaps.windows(2).all(|g| g[0] == g[1]), "evenly spaced");
            }
        }
    }
}
