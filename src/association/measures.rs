//! Measures of a memory's recall (issue 29): is a recalled sample recognisable as the
//! label it was recalled for, and do the samples of one label differ as much as real
//! ones do?

use crate::error::DataError;
use crate::learners::mlp::Mlp;

/// The share of `recalled` images (each `pixels` values, one after another) that
/// `classifier` (the crate's backprop MLP, trained on real images) assigns to `label`.
pub fn recognisability(recalled: &[f32], label: usize, classifier: &Mlp) -> Result<f64, DataError> {
    let predicted = classifier.predict(recalled)?;
    Ok(predicted.iter().filter(|&&p| p == label).count() as f64 / predicted.len().max(1) as f64)
}

/// The mean Euclidean distance between two different images of `images` (each `pixels`
/// values); NaN for fewer than two.
pub fn mean_pairwise_distance(images: &[f32], pixels: usize) -> f64 {
    let n = images.len() / pixels.max(1);
    if n < 2 {
        return f64::NAN;
    }
    let mut sum = 0.0f64;
    for i in 0..n {
        for j in i + 1..n {
            let (a, b) = (&images[i * pixels..(i + 1) * pixels], &images[j * pixels..(j + 1) * pixels]);
            sum += a.iter().zip(b).map(|(x, y)| ((x - y) as f64).powi(2)).sum::<f64>().sqrt();
        }
    }
    sum / (n * (n - 1) / 2) as f64
}

/// Variety of one label's recall: the mean pairwise distance among `recalled`, divided by
/// the same among `real` images of that label. 0: every recall the same image; 1: as
/// varied as the real digits.
pub fn variety(recalled: &[f32], real: &[f32], pixels: usize) -> f64 {
    mean_pairwise_distance(recalled, pixels) / mean_pairwise_distance(real, pixels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variety_by_hand() {
        // three 2-pixel images: distances 1, 1, sqrt(2)
        let imgs = [0.0, 0.0, 1.0, 0.0, 0.0, 1.0];
        let d = mean_pairwise_distance(&imgs, 2);
        assert!((d - (2.0 + 2f64.sqrt()) / 3.0).abs() < 1e-12);
        // the same image three times: no variety
        assert_eq!(variety(&[0.5, 0.5, 0.5, 0.5, 0.5, 0.5], &imgs, 2), 0.0);
        assert!((variety(&imgs, &imgs, 2) - 1.0).abs() < 1e-12);
        assert!(mean_pairwise_distance(&imgs[..2], 2).is_nan());
    }

    #[test]
    fn recognisability_counts_the_requested_label() {
        use crate::data::mnist::Dataset;
        use crate::learners::mlp::MlpConfig;
        // two separable classes of 4-pixel images
        let mut images = Vec::new();
        let mut labels = Vec::new();
        for i in 0..64 {
            images.extend(if i % 2 == 0 { [1.0, 0.9, 0.0, 0.1] } else { [0.0, 0.1, 1.0, 0.9] });
            labels.push((i % 2) as u8);
        }
        let data = Dataset { images, labels, rows: 2, cols: 2 };
        let mut rng = crate::sim::rng_from_seed(1);
        let mut m = Mlp::new(4, 8, 10, &mut rng);
        let cfg = MlpConfig { hidden: 8, lr: 1.0, batch: 8, ..MlpConfig::default() };
        for _ in 0..30 {
            m.train_epoch(&data, &cfg, &mut rng).unwrap();
        }
        let recalled = [1.0, 0.9, 0.0, 0.1, 0.0, 0.1, 1.0, 0.9, 0.9, 1.0, 0.1, 0.0];
        assert!((recognisability(&recalled, 0, &m).unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert!(recognisability(&recalled[..5], 0, &m).is_err());
    }
}
