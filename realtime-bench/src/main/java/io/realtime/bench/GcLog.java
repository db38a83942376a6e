package io.realtime.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server's GC pauses, from its log: the JVM's unified GC log decorated with {@code timemillis},
 * or the lines in the same shape that the Socket.IO server writes from Node's GC performance
 * entries. A line gives the wall-clock time a pause ended and its duration, so pauses can be
 * matched to the load generator's step windows.
 *
 * <pre>
 * [1764512345678ms] GC(12) Pause Young (Normal) (G1 Evacuation Pause) 180M->12M(3072M) 2.345ms
 * [1764512345678ms] GC(3) Y: Pause Mark Start (Major) 0.012ms
 * </pre>
 */
final class GcLog {

	private static final Pattern PAUSE = Pattern.compile("^\\[(\\d+)ms\\].* Pause .* (\\d+(?:\\.\\d+)?)ms$");

	private final Path file;

	GcLog(Path file) {
		this.file = file;
	}

	Path file() {
		return this.file;
	}

	/** The option that makes a JVM write this log, one file for the process's life. */
	String jvmOption() {
		// gc+phases: ZGC logs its (short) pauses there, G1 only its phase times, no pause lines
		return "-Xlog:gc,gc+phases:file=" + this.file.toAbsolutePath() + ":timemillis:filecount=0";
	}

	/** Every pause logged so far. */
	List<Pause> read() throws IOException {
		List<Pause> pauses = new ArrayList<>();
		if (!Files.exists(this.file)) {
			return pauses;
		}
		for (String line : Files.readAllLines(this.file)) {
			Matcher matcher = PAUSE.matcher(line);
			if (matcher.matches()) {
				double millis = Double.parseDouble(matcher.group(2));
				pauses.add(new Pause(Long.parseLong(matcher.group(1)) - millis, millis));
			}
		}
		return pauses;
	}

	/**
	 * The pauses overlapping a window, however little: one that began before the window still
	 * held back what was delivered in it.
	 * @return count, total and longest pause in milliseconds
	 */
	static Map<String, Object> during(List<Pause> pauses, double fromMillis, double toMillis) {
		int count = 0;
		double total = 0;
		double longest = 0;
		for (Pause pause : pauses) {
			if (pause.startMillis() <= toMillis && pause.startMillis() + pause.millis() >= fromMillis) {
				count++;
				total += pause.millis();
				longest = Math.max(longest, pause.millis());
			}
		}
		Map<String, Object> summary = new LinkedHashMap<>();
		summary.put("count", count);
		summary.put("totalMillis", total);
		summary.put("longestMillis", longest);
		return summary;
	}

	/**
	 * One stop-the-world pause.
	 * @param startMillis when it began, epoch milliseconds
	 * @param millis how long it lasted
	 */
	record Pause(double startMillis, double millis) {
	}

}
