//! SVG plots of recorded data (plotters, SVG backend only). Plotting never reaches into
//! the engine: it draws [`Panel`]s built from recordings and results. Files are written
//! atomically.

use std::path::Path;

use plotters::prelude::*;

use crate::checkpoint::write_atomic;
use crate::error::FileError;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A polyline.
    Line,
    /// Dots (e.g. target firings).
    Dots,
}

/// One curve or dot set.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// x values.
    pub x: Vec<f64>,
    /// y values (NaN points are skipped).
    pub y: Vec<f64>,
    /// Line or dots.
    pub style: Style,
    /// Index into the palette.
    pub color: usize,
}

impl Series {
    /// A line series.
    pub fn line(label: impl Into<String>, x: Vec<f64>, y: Vec<f64>, color: usize) -> Series {
        Series { label: label.into(), x, y, style: Style::Line, color }
    }
    /// A dot series.
    pub fn dots(label: impl Into<String>, x: Vec<f64>, y: Vec<f64>, color: usize) -> Series {
        Series { label: label.into(), x, y, style: Style::Dots, color }
    }
}

/// One chart with title, axis labels (with units) and series.
#[derive(Debug, Clone)]
pub struct Panel {
    /// Chart title.
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// The series.
    pub series: Vec<Series>,
}

const PALETTE: [RGBColor; 12] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(80, 80, 80),
    RGBColor(23, 190, 207),
    RGBColor(188, 189, 34),
    RGBColor(31, 31, 120),
    RGBColor(255, 187, 120),
];

fn plot_err(path: &Path, e: impl std::fmt::Display) -> FileError {
    FileError::Invalid { path: path.into(), what: format!("plotting failed: {e}") }
}

fn bounds(p: &Panel) -> ((f64, f64), (f64, f64)) {
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for s in &p.series {
        for (&x, &y) in s.x.iter().zip(&s.y) {
            if x.is_finite() && y.is_finite() {
                x0 = x0.min(x);
                x1 = x1.max(x);
                y0 = y0.min(y);
                y1 = y1.max(y);
            }
        }
    }
    if x0 > x1 {
        return ((0.0, 1.0), (0.0, 1.0));
    }
    let pad = ((y1 - y0) * 0.05).max(1e-6);
    let xpad = if x1 > x0 { 0.0 } else { 1.0 };
    ((x0 - xpad, x1 + xpad), (y0 - pad, y1 + pad))
}

/// Draws `panels` in a grid of `cols` columns under a common `title` into an SVG file.
pub fn panels_svg(
    path: impl AsRef<Path>,
    title: &str,
    panels: &[Panel],
    cols: usize,
    panel_size: (u32, u32),
) -> Result<(), FileError> {
    let path = path.as_ref();
    let cols = cols.max(1);
    let rows = panels.len().div_ceil(cols).max(1);
    let size = (panel_size.0 * cols as u32, panel_size.1 * rows as u32 + 40);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_err(path, e))?;
        let root = root.titled(title, ("sans-serif", 22)).map_err(|e| plot_err(path, e))?;
        let areas = root.split_evenly((rows, cols));
        for (panel, area) in panels.iter().zip(areas) {
            let ((x0, x1), (y0, y1)) = bounds(panel);
            let mut chart = ChartBuilder::on(&area)
                .caption(&panel.title, ("sans-serif", 16))
                .margin(8)
                .x_label_area_size(35)
                .y_label_area_size(55)
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(|e| plot_err(path, e))?;
            chart
                .configure_mesh()
                .x_desc(&panel.x_label)
                .y_desc(&panel.y_label)
                .light_line_style(WHITE.mix(0.0))
                .draw()
                .map_err(|e| plot_err(path, e))?;
            for s in &panel.series {
                let color = PALETTE[s.color % PALETTE.len()];
                let pts: Vec<(f64, f64)> =
                    s.x.iter()
                        .zip(&s.y)
                        .filter(|(x, y)| x.is_finite() && y.is_finite())
                        .map(|(&x, &y)| (x, y))
                        .collect();
                let drawn = match s.style {
                    Style::Line => {
                        chart.draw_series(LineSeries::new(pts, color.stroke_width(2))).map_err(|e| plot_err(path, e))?
                    }
                    Style::Dots => chart
                        .draw_series(pts.into_iter().map(|p| Circle::new(p, 2, color.filled())))
                        .map_err(|e| plot_err(path, e))?,
                };
                if !s.label.is_empty() {
                    drawn
                        .label(s.label.clone())
                        .legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 14, y + 4)], color.filled()));
                }
            }
            if panel.series.iter().any(|s| !s.label.is_empty()) {
                chart
                    .configure_series_labels()
                    .background_style(WHITE.mix(0.85))
                    .border_style(BLACK.mix(0.3))
                    .position(SeriesLabelPosition::UpperRight)
                    .draw()
                    .map_err(|e| plot_err(path, e))?;
            }
        }
        root.present().map_err(|e| plot_err(path, e))?;
    }
    write_atomic(path, svg.as_bytes())
}

/// Draws grey-scale images (values in [0, 1], row-major `width x height`) in a grid of
/// `cols` columns, each with a caption.
pub fn image_grid_svg(
    path: impl AsRef<Path>,
    title: &str,
    images: &[(String, Vec<f32>)],
    width: usize,
    height: usize,
    cols: usize,
) -> Result<(), FileError> {
    let path = path.as_ref();
    let cell = 4u32;
    let pad = 18u32;
    let cols = cols.max(1);
    let rows = images.len().div_ceil(cols).max(1);
    let (cw, ch) = (width as u32 * cell + 8, height as u32 * cell + pad);
    let size = (cw * cols as u32, ch * rows as u32 + 40);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_err(path, e))?;
        let root = root.titled(title, ("sans-serif", 20)).map_err(|e| plot_err(path, e))?;
        for (k, (caption, img)) in images.iter().enumerate() {
            let (cx, cy) = ((k % cols) as i32 * cw as i32, (k / cols) as i32 * ch as i32);
            root.draw(&Text::new(caption.clone(), (cx + 4, cy + 2), ("sans-serif", 12)))
                .map_err(|e| plot_err(path, e))?;
            for r in 0..height {
                for c in 0..width {
                    let v = img[r * width + c].clamp(0.0, 1.0);
                    if v < 0.02 {
                        continue; // white background: nothing to draw
                    }

                    let g = (255.0 * (1.0 - v)) as u8;
                    let (x, y) = (cx + 4 + (c as u32 * cell) as i32, cy + pad as i32 + (r as u32 * cell) as i32);
                    root.draw(&Rectangle::new(
                        [(x, y), (x + cell as i32, y + cell as i32)],
                        RGBColor(g, g, g).filled(),
                    ))
                    .map_err(|e| plot_err(path, e))?;
                }
            }
        }
        root.present().map_err(|e| plot_err(path, e))?;
    }
    write_atomic(path, svg.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_an_svg_with_titles_and_labels() {
        let dir = std::env::temp_dir().join(format!("astdp-plot-{}", std::process::id()));
        let p = dir.join("t.svg");
        let panel = Panel {
            title: "panel A".into(),
            x_label: "time (ticks)".into(),
            y_label: "state s".into(),
            series: vec![Series::line("s_strong", vec![0.0, 1.0, 2.0], vec![0.0, 0.5, 0.2], 0)],
        };
        panels_svg(&p, "the title", &[panel], 1, (400, 300)).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(
            text.starts_with("<svg")
                && text.contains("the title")
                && text.contains("time (ticks)")
                && text.contains("s_strong")
        );
        image_grid_svg(dir.join("g.svg"), "digits", &[("a".into(), vec![0.5; 4])], 2, 2, 1).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
