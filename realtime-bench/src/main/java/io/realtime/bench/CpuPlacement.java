package io.realtime.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The cores the server and the load generator are confined to, {@code cpus=<server>/<generator>}
 * with {@code taskset} CPU lists on each side (e.g. {@code 0/1}, {@code 0-1/2-3}): the server's
 * latency is then not the generator's threads taking its core.
 *
 * @param server the server's CPU list
 * @param generator the load generator's CPU list
 * @since 0.1.0
 */
record CpuPlacement(String server, String generator) {

	/** No placement: both processes wherever the scheduler puts them. */
	static final CpuPlacement NONE = new CpuPlacement("", "");

	static CpuPlacement parse(String value) {
		String[] sides = value.split("/", -1);
		if (sides.length != 2 || !isCpuList(sides[0]) || !isCpuList(sides[1])) {
			throw new IllegalArgumentException(
					"cpus must be <server cpus>/<generator cpus> in taskset's list format, e.g. 0/1, not '" + value + "'");
		}
		if (!tasksetAvailable()) {
			throw new IllegalStateException("cpus=" + value + " needs taskset (util-linux), which is not on the PATH");
		}
		return new CpuPlacement(sides[0], sides[1]);
	}

	private static boolean isCpuList(String list) {
		return list.matches("\\d+(-\\d+)?(,\\d+(-\\d+)?)*");
	}

	private static boolean tasksetAvailable() {
		try {
			Process process = new ProcessBuilder("taskset", "--version").redirectErrorStream(true).start();
			process.getInputStream().readAllBytes();
			return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/** The server's command line, confined to its cores. */
	List<String> server(List<String> command) {
		return confine(this.server, command);
	}

	/** The load generator's command line, confined to its cores. */
	List<String> generator(List<String> command) {
		return confine(this.generator, command);
	}

	private static List<String> confine(String cpus, List<String> command) {
		if (cpus.isEmpty()) {
			return command;
		}
		List<String> confined = new ArrayList<>(List.of("taskset", "-c", cpus));
		confined.addAll(command);
		return confined;
	}

	/** As recorded in the results: empty when unconfined. */
	Map<String, Object> describe() {
		return this.server.isEmpty() ? Map.of() : Map.of("server", this.server, "generator", this.generator);
	}

}
