package io.realtime.bench.server.naive;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.realtime.bench.server.BenchControl;
import io.realtime.bench.server.BenchTarget;
import io.realtime.bench.server.Tick;
import io.realtime.bench.server.TomcatTuning;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The approach tutorials show: a list of {@link SseEmitter}s per topic, and a publish loop that
 * sends to each of them in turn on the publisher's thread. No heartbeats, no resume, no bound
 * on a slow client. A {@code ready} event is the one addition, so the load generator knows the
 * emitter is registered.
 *
 * @since 0.1.0
 */
@SpringBootApplication(excludeName = { "io.realtime.autoconfigure.RealtimeAutoConfiguration",
		"io.realtime.autoconfigure.RealtimeWebMvcAutoConfiguration" })
@Import({ BenchControl.class, TomcatTuning.class })
@RestController
public class NaiveSseBenchServer implements BenchTarget {

	private final Map<String, List<SseEmitter>> emitters = new ConcurrentHashMap<>();

	@GetMapping("/sse")
	public SseEmitter subscribe(@RequestParam String topic) throws IOException {
		SseEmitter emitter = new SseEmitter(0L);
		List<SseEmitter> list = this.emitters.computeIfAbsent(topic, (key) -> new CopyOnWriteArrayList<>());
		list.add(emitter);
		emitter.onCompletion(() -> list.remove(emitter));
		emitter.onTimeout(() -> list.remove(emitter));
		emitter.onError((ex) -> list.remove(emitter));
		emitter.send(SseEmitter.event().name("ready").data("{}"));
		return emitter;
	}

	@Override
	public void publish(String topic, Tick tick) {
		List<SseEmitter> list = this.emitters.get(topic);
		if (list == null) {
			return;
		}
		for (SseEmitter emitter : list) {
			try {
				emitter.send(tick);
			}
			catch (IOException | IllegalStateException ex) {
				list.remove(emitter);
			}
		}
	}

	public static void main(String[] args) {
		SpringApplication.run(NaiveSseBenchServer.class, args);
	}

}
