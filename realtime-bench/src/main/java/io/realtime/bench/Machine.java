package io.realtime.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the results were measured on. */
final class Machine {

	private Machine() {
	}

	static Map<String, Object> describe() {
		Map<String, Object> machine = new LinkedHashMap<>();
		machine.put("cpus", Runtime.getRuntime().availableProcessors());
		machine.put("cpuModel", firstLine("/proc/cpuinfo", "model name"));
		machine.put("memory", firstLine("/proc/meminfo", "MemTotal"));
		machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
		machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
		machine.put("node", command("node", "--version"));
		machine.put("loadAverage", loadAverage());
		return machine;
	}

	/** The 1, 5 and 15 minute load averages, runnable and total tasks, the last pid. */
	static String loadAverage() {
		return firstLine("/proc/loadavg", "");
	}

	private static String firstLine(String file, String prefix) {
		try {
			for (String line : Files.readAllLines(Path.of(file))) {
				if (line.startsWith(prefix)) {
					int colon = line.indexOf(':');
					return (colon >= 0 && !prefix.isEmpty()) ? line.substring(colon + 1).trim() : line.trim();
				}
			}
		}
		catch (IOException ex) {
			// not Linux
		}
		return "unknown";
	}

	private static String command(String... command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes()).trim();
			process.waitFor(10, TimeUnit.SECONDS);
			return output;
		}
		catch (IOException ex) {
			return "not installed";
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "unknown";
		}
	}

}
