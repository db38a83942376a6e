package io.realtime.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.text.DecimalFormat;
import java.nio.file.Path;
import java.util.Map;

import io.realtime.bench.Target;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The charts of a run, drawn headless with JFreeChart. */
final class Charts {

	private static final int WIDTH = 900;

	private static final int HEIGHT = 520;

	private final Results results;

	Charts(Results results) {
		this.results = results;
	}

	void write(Path directory) throws IOException {
		System.setProperty("java.awt.headless", "true");
		throughput(directory.resolve("throughput.png"));
		latency(directory.resolve("latency-1000.png"), "fanout-1000");
		percentiles(directory.resolve("latency-percentiles.png"));
		memory(directory.resolve("idle-memory.png"));
	}

	private void throughput(Path file) throws IOException {
		DefaultCategoryDataset data = new DefaultCategoryDataset();
		for (String scenario : new String[] { "fanout-1000", "fanout-10000", "many-topics" }) {
			for (Target target : this.results.targets()) {
				Double peak = this.results.peak(target.name(), scenario);
				if (peak != null) {
					data.addValue(peak, target.label(), this.results.scenarioLabel(scenario));
				}
			}
		}
		JFreeChart chart = ChartFactory.createBarChart("Peak deliveries per second (higher is better)", null,
				"deliveries per second", data, PlotOrientation.VERTICAL, true, false, false);
		style(chart.getCategoryPlot());
		((NumberAxis) chart.getCategoryPlot().getRangeAxis()).setNumberFormatOverride(new DecimalFormat("#,##0"));
		ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
	}

	private void latency(Path file, String scenario) throws IOException {
		XYSeriesCollection data = new XYSeriesCollection();
		for (Target target : this.results.targets()) {
			XYSeries series = new XYSeries(target.label());
			for (Map<String, Object> step : this.results.steps(target.name(), scenario)) {
				if (Results.held(step)) {
					series.add(Results.dbl(step, "offeredDeliveriesPerSecond"),
							Math.max(0.05, Results.dbl(step, "p99Millis")));
				}
			}
			if (series.getItemCount() > 0) {
				data.addSeries(series);
			}
		}
		JFreeChart chart = ChartFactory.createXYLineChart("p99 publish-to-receive latency, 1,000 subscribers (lower is better)",
				"offered deliveries per second", "p99 latency (ms)", data, PlotOrientation.VERTICAL, true, false, false);
		XYPlot plot = chart.getXYPlot();
		((NumberAxis) plot.getDomainAxis()).setNumberFormatOverride(new DecimalFormat("#,##0"));
		LogAxis y = new LogAxis("p99 latency (ms, log scale)");
		y.setSmallestValue(0.05);
		y.setTickUnit(new NumberTickUnit(1));
		y.setMinorTickCount(9);
		y.setMinorTickMarksVisible(true);
		y.setNumberFormatOverride(new DecimalFormat("#,##0.##"));
		plot.setRangeAxis(y);
		XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
		for (int i = 0; i < data.getSeriesCount(); i++) {
			renderer.setSeriesStroke(i, new BasicStroke(2f));
		}
		plot.setRenderer(renderer);
		plot.setBackgroundPaint(Color.WHITE);
		plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
		plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
		ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
	}

	private void percentiles(Path file) throws IOException {
		DefaultCategoryDataset data = new DefaultCategoryDataset();
		for (Target target : this.results.targets()) {
			Map<String, Object> step = this.results.stepAt(target.name(), "fanout-1000", 50_000);
			if (step != null) {
				data.addValue(Results.dbl(step, "p50Millis"), "p50", target.label());
				data.addValue(Results.dbl(step, "p99Millis"), "p99", target.label());
				data.addValue(Results.dbl(step, "p999Millis"), "p99.9", target.label());
			}
		}
		JFreeChart chart = ChartFactory.createBarChart(
				"Latency at 50,000 deliveries/s, 1,000 subscribers (lower is better)", null, "milliseconds", data,
				PlotOrientation.VERTICAL, true, false, false);
		style(chart.getCategoryPlot());
		ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
	}

	private void memory(Path file) throws IOException {
		DefaultCategoryDataset data = new DefaultCategoryDataset();
		for (Target target : this.results.targets()) {
			Map<String, Object> row = this.results.row(target.name(), "idle");
			if (row != null && !row.containsKey("error")) {
				data.addValue(Results.dbl(row, "heapPerConnection") / 1024, "heap", target.label());
				data.addValue(Results.dbl(row, "rssPerConnection") / 1024, "RSS", target.label());
			}
		}
		JFreeChart chart = ChartFactory.createBarChart("Memory per idle connection (lower is better)", null, "KiB",
				data, PlotOrientation.VERTICAL, true, false, false);
		style(chart.getCategoryPlot());
		ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
	}

	private static void style(CategoryPlot plot) {
		plot.getDomainAxis().setMaximumCategoryLabelLines(3);
		plot.setBackgroundPaint(Color.WHITE);
		plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
		BarRenderer renderer = (BarRenderer) plot.getRenderer();
		renderer.setBarPainter(new StandardBarPainter());
		renderer.setShadowVisible(false);
		renderer.setItemMargin(0.05);
	}

}
