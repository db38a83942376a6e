package io.realtime.webmvc.http;

import io.realtime.core.Broker;
import io.realtime.webmvc.Admission;
import io.realtime.webmvc.WireFormat;
import jakarta.servlet.http.HttpServletRequest;

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

	public PollEndpoint(Broker broker, Admission admission, WireFormat wire, int maxBatch) {
		this.broker = broker;
		this.admission = admission;
		this.wire = wire;
		this.maxBatch = maxBatch;
	}

	@GetMapping("/poll")
	public ResponseEntity<String> poll(HttpServletRequest request) {
		QueryParameters query = QueryParameters.of(request);
		Batch batch = Batch.read(this.broker,
				SubscribeRequest.positions(this.broker, this.admission, query.first("cursor"), query, request), this.maxBatch);
		return Batch.reply(batch.json(this.wire));
	}

}
