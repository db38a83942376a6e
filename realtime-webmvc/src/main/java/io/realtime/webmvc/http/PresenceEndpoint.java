package io.realtime.webmvc.http;

import java.security.Principal;

import io.realtime.webmvc.Admission;
import io.realtime.webmvc.RealtimePresence;
import io.realtime.webmvc.WireFormat;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET {base}/presence?topic=…}: who is present on a topic on which presence is on, for
 * those the policy lets see it.
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping("${realtime.base-path:/realtime}")
public class PresenceEndpoint {

	private final Admission admission;

	private final RealtimePresence presence;

	private final WireFormat wire;

	public PresenceEndpoint(Admission admission, RealtimePresence presence, WireFormat wire) {
		this.admission = admission;
		this.presence = presence;
		this.wire = wire;
	}

	@GetMapping("/presence")
	public ResponseEntity<String> presence(HttpServletRequest request) {
		Principal principal = request.getUserPrincipal();
		// a read like a subscribe: it takes the same share of the client's rate
		this.admission.client(principal, request.getRemoteAddr()).subscribe();
		QueryParameters query = QueryParameters.of(request);
		String topic = this.presence.requireOn(this.admission.topic(query.first("topic")));
		this.admission.seePresence(topic, principal);
		return Batch.reply(this.wire.presence(null, topic, this.presence.members(topic), null));
	}

}
