package io.realtime.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Pauses read from the JVM's GC log and the Socket.IO server's, and matched to step windows. */
class GcLogTests {

	@TempDir
	Path directory;

	@Test
	void readsThePausesOfAJvmLogAndSkipsConcurrentPhases() throws Exception {
		GcLog log = write("[1000ms] Using G1",
				"[2000ms] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->3M(3072M) 2.500ms",
				"[2001ms] GC(1) Concurrent Mark Cycle", "[2500ms] GC(1) Pause Remark 13M->13M(3072M) 5.133ms",
				"[2900ms] GC(1) Concurrent Mark Cycle 808.180ms");
		assertThat(log.read()).containsExactly(new GcLog.Pause(1997.5, 2.5), new GcLog.Pause(2494.867, 5.133));
	}

	@Test
	void readsTheShortPausesOfZgcFromItsPhases() throws Exception {
		GcLog log = write("[1000ms] Using The Z Garbage Collector",
				"[2000ms] GC(3) Y: Pause Mark Start (Major) 0.012ms", "[2001ms] GC(3) Y: Concurrent Mark 4.100ms",
				"[2010ms] GC(3) O: Pause Mark End 0.008ms");
		assertThat(log.read()).containsExactly(new GcLog.Pause(1999.988, 0.012), new GcLog.Pause(2009.992, 0.008));
	}

	@Test
	void readsThePausesOfTheSocketIoServersLog() throws Exception {
		GcLog log = write("[3000ms] Pause Scavenge 1.5ms", "[4000ms] Pause Mark-Compact 12.000ms");
		assertThat(log.read()).containsExactly(new GcLog.Pause(2998.5, 1.5), new GcLog.Pause(3988, 12));
	}

	@Test
	void countsEveryPauseOverlappingTheWindow() {
		List<GcLog.Pause> pauses = List.of(new GcLog.Pause(90, 20), new GcLog.Pause(150, 5), new GcLog.Pause(199, 3),
				new GcLog.Pause(210, 50));
		assertThat(GcLog.during(pauses, 100, 200)).containsEntry("count", 3)
			.containsEntry("longestMillis", 20.0)
			.hasEntrySatisfying("totalMillis", (total) -> assertThat((double) total).isCloseTo(28, within(1e-9)));
	}

	private GcLog write(String... lines) throws Exception {
		Path file = this.directory.resolve("gc.log");
		Files.write(file, List.of(lines));
		return new GcLog(file);
	}

}
