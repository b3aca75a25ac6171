//! Batch k-means for comparison, and the measures: k-means++ starts, Lloyd's algorithm,
//! nearest-centre assignment, quantisation error, purity and the adjusted Rand index.
//!
//! Data are `n x D` row-major slices. Distances to many centres at once go through one
//! GEMM per chunk of rows: `||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2`.

use rand::RngExt;

use crate::error::ClusteringError;
use crate::linalg::{View, ViewMut, gemm};

/// Rows per GEMM chunk of [`assign`] (bounds the `rows x K` scratch).
const CHUNK: usize = 4096;

fn rows(data: &[f32], dim: usize) -> Result<usize, ClusteringError> {
    if dim == 0 || !data.len().is_multiple_of(dim) {
        return Err(ClusteringError::Dimension { what: "data", expected: dim, found: data.len() % dim.max(1) });
    }
    if data.is_empty() {
        return Err(ClusteringError::Empty("data"));
    }
    Ok(data.len() / dim)
}

/// `k` centres drawn from `data` by k-means++ (Arthur and Vassilvitskii): the first
/// uniformly, each next one with probability proportional to its squared distance to the
/// nearest centre drawn so far. Needs at least `k` rows.
pub fn kmeans_pp(data: &[f32], dim: usize, k: usize, rng: &mut impl RngExt) -> Result<Vec<f32>, ClusteringError> {
    let n = rows(data, dim)?;
    if k == 0 || k > n {
        return Err(ClusteringError::Dimension { what: "k (at most the rows of data)", expected: n, found: k });
    }
    let row = |i: usize| &data[i * dim..(i + 1) * dim];
    let mut centres = Vec::with_capacity(k * dim);
    centres.extend_from_slice(row(rng.random_range(0..n)));
    let mut best: Vec<f32> = (0..n).map(|i| super::sq_distance(row(i), &centres[..dim])).collect();
    while centres.len() < k * dim {
        let total: f64 = best.iter().map(|&d| d as f64).sum();
        let pick = if total > 0.0 {
            let mut u = rng.random::<f64>() * total;
            best.iter()
                .position(|&d| {
                    u -= d as f64;
                    u < 0.0
                })
                .unwrap_or(n - 1)
        } else {
            rng.random_range(0..n)
        };
        let start = centres.len();
        centres.extend_from_slice(row(pick));
        for (i, b) in best.iter_mut().enumerate() {
            *b = b.min(super::sq_distance(row(i), &centres[start..]));
        }
    }
    Ok(centres)
}

/// For every row of `data`, the nearest centre (lowest index on ties) and its squared
/// distance.
pub fn assign(data: &[f32], dim: usize, centres: &[f32]) -> Result<(Vec<usize>, Vec<f32>), ClusteringError> {
    let n = rows(data, dim)?;
    let k = rows(centres, dim)?;
    let norms = |m: &[f32]| m.chunks_exact(dim).map(|r| r.iter().map(|v| v * v).sum::<f32>()).collect::<Vec<f32>>();
    let c_norm = norms(centres);
    let (mut labels, mut dists) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut dot = vec![0.0f32; CHUNK.min(n) * k];
    for start in (0..n).step_by(CHUNK) {
        let m = CHUNK.min(n - start);
        let chunk = &data[start * dim..(start + m) * dim];
        gemm(
            m,
            dim,
            k,
            1.0,
            View { data: chunk, off: 0, rs: dim, cs: 1 },
            View { data: centres, off: 0, rs: 1, cs: dim },
            0.0,
            ViewMut { data: &mut dot, off: 0, rs: k, cs: 1 },
            true,
        );
        for (r, x_norm) in norms(chunk).into_iter().enumerate() {
            let (best, d) = (0..k)
                .map(|j| (j, (x_norm - 2.0 * dot[r * k + j] + c_norm[j]).max(0.0)))
                .fold((0, f32::INFINITY), |acc, (j, d)| if d < acc.1 { (j, d) } else { acc });
            labels.push(best);
            dists.push(d);
        }
    }
    Ok((labels, dists))
}

/// Mean squared distance of the rows of `data` to their nearest centre (the k-means
/// objective divided by `n`).
pub fn quantisation_error(data: &[f32], dim: usize, centres: &[f32]) -> Result<f64, ClusteringError> {
    let (_, d) = assign(data, dim, centres)?;
    Ok(d.iter().map(|&v| v as f64).sum::<f64>() / d.len() as f64)
}

/// Lloyd's algorithm from `centres`: assign every row to its nearest centre, move each
/// centre to the mean of its rows (a centre with none stays), until no assignment changes
/// or `max_iter` rounds. Returns the rounds run.
pub fn lloyd(data: &[f32], dim: usize, centres: &mut [f32], max_iter: usize) -> Result<usize, ClusteringError> {
    let k = rows(centres, dim)?;
    let mut last: Vec<usize> = Vec::new();
    for round in 1..=max_iter {
        let (labels, _) = assign(data, dim, centres)?;
        if labels == last {
            return Ok(round - 1);
        }
        let mut sum = vec![0.0f64; k * dim];
        let mut count = vec![0usize; k];
        for (x, &l) in data.chunks_exact(dim).zip(&labels) {
            count[l] += 1;
            for (s, &v) in sum[l * dim..(l + 1) * dim].iter_mut().zip(x) {
                *s += v as f64;
            }
        }
        for j in (0..k).filter(|&j| count[j] > 0) {
            for (c, s) in centres[j * dim..(j + 1) * dim].iter_mut().zip(&sum[j * dim..(j + 1) * dim]) {
                *c = (s / count[j] as f64) as f32;
            }
        }
        last = labels;
    }
    Ok(max_iter)
}

/// Purity as a classifier: each cluster votes the majority label of the training rows
/// assigned to it; the result is the fraction of test rows whose cluster votes their label
/// (a cluster that no training row chose votes for no label).
pub fn purity(
    train_clusters: &[usize],
    train_labels: &[u8],
    test_clusters: &[usize],
    test_labels: &[u8],
    k: usize,
) -> f64 {
    let mut votes = vec![[0usize; 256]; k];
    for (&c, &l) in train_clusters.iter().zip(train_labels) {
        votes[c][l as usize] += 1;
    }
    let majority: Vec<Option<u8>> = votes
        .iter()
        .map(|v| {
            let (l, &n) = v.iter().enumerate().max_by_key(|&(l, n)| (*n, std::cmp::Reverse(l)))?;
            (n > 0).then_some(l as u8)
        })
        .collect();
    let hits = test_clusters.iter().zip(test_labels).filter(|&(&c, &l)| majority[c] == Some(l)).count();
    hits as f64 / test_labels.len().max(1) as f64
}

/// The adjusted Rand index of two labelings of the same items (Hubert and Arabie): 1 for
/// the same partition, about 0 for independent ones.
pub fn adjusted_rand_index(a: &[usize], b: &[usize]) -> f64 {
    let n = a.len().min(b.len());
    let (ka, kb) = (a.iter().max().map_or(0, |m| m + 1), b.iter().max().map_or(0, |m| m + 1));
    let mut table = vec![0u64; ka * kb];
    for (&x, &y) in a.iter().zip(b) {
        table[x * kb + y] += 1;
    }
    let pairs = |v: u64| (v * v.saturating_sub(1) / 2) as f64;
    let sum_ij: f64 = table.iter().map(|&v| pairs(v)).sum();
    let sum_a: f64 = (0..ka).map(|i| pairs(table[i * kb..(i + 1) * kb].iter().sum())).sum();
    let sum_b: f64 = (0..kb).map(|j| pairs((0..ka).map(|i| table[i * kb + j]).sum())).sum();
    let expected = sum_a * sum_b / pairs(n as u64).max(1.0);
    let max = 0.5 * (sum_a + sum_b);
    if max == expected { 1.0 } else { (sum_ij - expected) / (max - expected) }
}
