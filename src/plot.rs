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

/// How a tile's values become colours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shade {
    /// Values in [0, 1], white to black.
    Grey,
    /// Signed values: positive pink, negative blue, full colour at `|v| = full` (the
    /// AI-Memory1 write-up's weight figures).
    Signed {
        /// The magnitude drawn at full colour.
        full: f32,
    },
}

/// A rectangle drawn over a tile, in the tile's pixel units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// Left column.
    pub x: usize,
    /// Top row.
    pub y: usize,
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Index into the palette.
    pub color: usize,
    /// Line width in screen pixels.
    pub stroke: u32,
}

/// A small image (row-major `width x height` values) with a caption and frames.
#[derive(Debug, Clone)]
pub struct Tile {
    /// Caption above the image.
    pub caption: String,
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// The values.
    pub values: Vec<f32>,
    /// Their colouring.
    pub shade: Shade,
    /// Rectangles drawn over it.
    pub frames: Vec<Frame>,
}

impl Tile {
    /// A grey-scale tile without frames.
    pub fn grey(caption: impl Into<String>, values: Vec<f32>, width: usize, height: usize) -> Tile {
        Tile { caption: caption.into(), width, height, values, shade: Shade::Grey, frames: Vec::new() }
    }
}

/// A figure: a grid of [`Tile`]s (`tile_cols` columns, `scale` screen pixels per tile
/// pixel) above a grid of [`Panel`]s (`panel_cols` columns of `panel_size`), under one
/// title, written atomically to an SVG file.
pub struct Figure<'a> {
    /// The title.
    pub title: &'a str,
    /// The tiles, drawn first.
    pub tiles: &'a [Tile],
    /// Columns of tiles.
    pub tile_cols: usize,
    /// Screen pixels per tile pixel.
    pub scale: u32,
    /// The charts, drawn below the tiles.
    pub panels: &'a [Panel],
    /// Columns of charts.
    pub panel_cols: usize,
    /// Size of one chart.
    pub panel_size: (u32, u32),
}

impl std::fmt::Debug for Figure<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Figure({:?}, {} tiles, {} panels)", self.title, self.tiles.len(), self.panels.len())
    }
}

fn tile_colour(v: f32, shade: Shade) -> Option<RGBColor> {
    let mix = |t: f32, (r, g, b): (f32, f32, f32)| {
        let t = t.clamp(0.0, 1.0);
        RGBColor((255.0 - t * (255.0 - r)) as u8, (255.0 - t * (255.0 - g)) as u8, (255.0 - t * (255.0 - b)) as u8)
    };
    match shade {
        Shade::Grey if v < 0.02 => None,
        Shade::Grey => {
            let g = (255.0 * (1.0 - v.min(1.0))) as u8;
            Some(RGBColor(g, g, g))
        }
        Shade::Signed { .. } if v == 0.0 => None,
        Shade::Signed { full } if v > 0.0 => Some(mix(v / full, (231.0, 41.0, 138.0))),
        Shade::Signed { full } => Some(mix(-v / full, (33.0, 113.0, 181.0))),
    }
}

impl Figure<'_> {
    /// Where each tile goes (its top-left corner in screen pixels), and the size of the
    /// whole tile block: rows of `tile_cols` tiles, each as wide as its own image, each
    /// row as tall as its tallest tile.
    fn layout(&self) -> (Vec<(i32, i32)>, (u32, u32)) {
        let (mut at, mut y, mut width) = (Vec::new(), 0u32, 0u32);
        for row in self.tiles.chunks(self.tile_cols.max(1)) {
            let mut x = 0u32;
            for t in row {
                at.push((x as i32, y as i32));
                x += t.width as u32 * self.scale + 8;
            }
            // a grid of equal tiles is as wide as `tile_cols` of them, full or not
            let uniform = self.tiles.iter().all(|t| (t.width, t.height) == (row[0].width, row[0].height));
            let full = self.tile_cols.max(1) as u32 * (row[0].width as u32 * self.scale + 8);
            width = width.max(if uniform { full } else { x });
            y += row.iter().map(|t| t.height as u32).max().unwrap_or(0) * self.scale + 18;
        }
        (at, (width, y))
    }

    /// Draws the figure into `path`.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), FileError> {
        let path = path.as_ref();
        let pc = self.panel_cols.max(1);
        let panel_rows = self.panels.len().div_ceil(pc) as u32;
        let (at, (tiles_w, tiles_h)) = self.layout();
        let width = tiles_w.max(if self.panels.is_empty() { 0 } else { self.panel_size.0 * pc as u32 });
        let size = (width.max(200), tiles_h + self.panel_size.1 * panel_rows + 40);
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            root.fill(&WHITE).map_err(|e| plot_err(path, e))?;
            // (tile grids have always had a smaller title than charts)
            let title_px = if self.panels.is_empty() { 20 } else { 22 };
            let root = root.titled(self.title, ("sans-serif", title_px)).map_err(|e| plot_err(path, e))?;
            let (top, bottom) = root.split_vertically(tiles_h);
            self.draw_tiles(&top, &at, path)?;
            if !self.panels.is_empty() {
                self.draw_panels(&bottom, path)?;
            }
            root.present().map_err(|e| plot_err(path, e))?;
        }
        write_atomic(path, svg.as_bytes())
    }

    fn draw_tiles<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, plotters::coord::Shift>,
        at: &[(i32, i32)],
        path: &Path,
    ) -> Result<(), FileError> {
        let px = self.scale as i32;
        for (t, &(cx, cy)) in self.tiles.iter().zip(at) {
            area.draw(&Text::new(t.caption.clone(), (cx + 4, cy + 2), ("sans-serif", 12)))
                .map_err(|e| plot_err(path, e))?;
            let (ox, oy) = (cx + 4, cy + 18);
            if matches!(t.shade, Shade::Signed { .. }) {
                let (w, h) = (t.width as i32 * px, t.height as i32 * px);
                area.draw(&Rectangle::new([(ox, oy), (ox + w, oy + h)], BLACK.mix(0.25).stroke_width(1)))
                    .map_err(|e| plot_err(path, e))?;
            }
            for r in 0..t.height {
                for c in 0..t.width {
                    let Some(colour) = tile_colour(t.values[r * t.width + c], t.shade) else { continue };
                    let (x, y) = (ox + c as i32 * px, oy + r as i32 * px);
                    area.draw(&Rectangle::new([(x, y), (x + px, y + px)], colour.filled()))
                        .map_err(|e| plot_err(path, e))?;
                }
            }
            for f in &t.frames {
                let (x, y) = (ox + f.x as i32 * px, oy + f.y as i32 * px);
                let (x1, y1) = (x + f.width as i32 * px, y + f.height as i32 * px);
                let style = PALETTE[f.color % PALETTE.len()].stroke_width(f.stroke);
                area.draw(&Rectangle::new([(x, y), (x1, y1)], style)).map_err(|e| plot_err(path, e))?;
            }
        }
        Ok(())
    }

    fn draw_panels<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, plotters::coord::Shift>,
        path: &Path,
    ) -> Result<(), FileError> {
        let cols = self.panel_cols.max(1);
        let rows = self.panels.len().div_ceil(cols).max(1);
        for (panel, area) in self.panels.iter().zip(area.split_evenly((rows, cols))) {
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
        Ok(())
    }
}

/// Draws `panels` in a grid of `cols` columns under a common `title` into an SVG file.
pub fn panels_svg(
    path: impl AsRef<Path>,
    title: &str,
    panels: &[Panel],
    cols: usize,
    panel_size: (u32, u32),
) -> Result<(), FileError> {
    Figure { title, tiles: &[], tile_cols: 1, scale: 1, panels, panel_cols: cols, panel_size }.write(path)
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
    let tiles: Vec<Tile> = images.iter().map(|(c, v)| Tile::grey(c.clone(), v.clone(), width, height)).collect();
    Figure { title, tiles: &tiles, tile_cols: cols, scale: 4, panels: &[], panel_cols: 1, panel_size: (0, 0) }
        .write(path)
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
