package io.realtime.webmvc.http;

import java.util.Map;

import io.realtime.core.Broker;
import io.realtime.webmvc.Admission;
import io.realtime.webmvc.RealtimePresence;
import io.realtime.webmvc.WireFormat;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET {base}/poll?topic=…[&cursor=…][&since=…][&rewind=…]}: answers at once with what arrived since the
 * cursor (or, with {@code rewind}, the newest messages of the topics it starts).
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping("${realtime.base-path:/realtime}")
public class PollEndpoint {

	private final Broker broker;

	private final Admission admission;

	private final WireFormat wire;

	private final int maxBatch;

	private final RealtimePresence presence;

	public PollEndpoint(Broker broker, Admission admission, WireFormat wire, int maxBatch) {
		this(broker, admission, wire, maxBatch, RealtimePresence.off());
	}

	/**
	 * Create the endpoint.
	 * @param broker the broker
	 * @param admission admits requests
	 * @param wire the wire format
	 * @param maxBatch the most messages per reply
	 * @param presence presence on the topics polled
	 * @since 0.1.0
	 */
	public PollEndpoint(Broker broker, Admission admission, WireFormat wire, int maxBatch,
			RealtimePresence presence) {
		this.broker = broker;
		this.admission = admission;
		this.wire = wire;
		this.maxBatch = maxBatch;
		this.presence = presence;
	}

	@GetMapping("/poll")
	public ResponseEntity<String> poll(HttpServletRequest request) {
		QueryParameters query = QueryParameters.of(request);
		Map<String, @Nullable String> from = SubscribeRequest.positions(this.broker, this.admission,
				query.first("cursor"), query, request);
		RealtimePresence.PollClient polling = SubscribeRequest.presence(this.presence, this.admission, from.keySet(),
				query, request);
		Batch batch = Batch.read(this.broker, from, this.maxBatch).presence(polling);
		return Batch.reply(batch.json(this.wire));
	}

}
