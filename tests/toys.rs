//! Qualitative facts of the toy experiments, on small fast versions.

use astdp::experiments::stdp::{StdpConfig, stdp_curve};

/// STDP: potentiation peak at dt >= 0, depression trough at dt < 0, narrower curve for
/// window 5 than 15, asymmetry growing with beta_s / beta_w.
#[test]
fn stdp_curve_shape() {
    let cfg = StdpConfig {
        dt_max: 30,
        ..StdpConfig::default()
    };
    let w5 = stdp_curve(&cfg, 5, 0.5, 0.4).unwrap();
    let w15 = stdp_curve(&cfg, 15, 0.5, 0.4).unwrap();
    for p in [&w5, &w15] {
        let (imax, _) =
            p.dw.iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .unwrap();
        let (imin, _) =
            p.dw.iter()
                .enumerate()
                .min_by(|a, b| a.1.total_cmp(b.1))
                .unwrap();
        assert!(p.dt[imax] >= 0, "peak at {}", p.dt[imax]);
        assert!(p.dt[imin] < 0, "trough at {}", p.dt[imin]);
        assert!(p.ltp_peak > 0.0 && p.ltd_peak < 0.0);
        // far away the curve returns to ~0
        assert!(
            p.dw[0].abs() < 0.05 * p.ltp_peak && p.dw.last().unwrap().abs() < 0.05 * p.ltp_peak
        );
    }
    assert!(
        w5.ltp_width < w15.ltp_width,
        "{} vs {}",
        w5.ltp_width,
        w15.ltp_width
    );
    let a: Vec<f64> = [0.5f32, 0.6, 0.7]
        .iter()
        .map(|&bs| stdp_curve(&cfg, 10, bs, 0.4).unwrap().asymmetry)
        .collect();
    assert!(a[0] < a[1] && a[1] < a[2], "{a:?}");
}
