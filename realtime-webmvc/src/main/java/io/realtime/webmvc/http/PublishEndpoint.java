package io.realtime.webmvc.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import io.realtime.core.Message;
import io.realtime.webmvc.RealtimeException;
import io.realtime.webmvc.RealtimeException.Reason;
import io.realtime.webmvc.RealtimePublisher;
import io.realtime.webmvc.Admission;
import io.realtime.webmvc.WireFormat;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST {base}/publish?topic=}: a client publishes a JSON or text body. Checks run in
 * the protocol's order: the client's rate, topic, authorization, size, media type, body.
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping("${realtime.base-path:/realtime}")
public class PublishEndpoint {

	private final RealtimePublisher publisher;

	private final Admission admission;

	private final WireFormat wire;

	public PublishEndpoint(RealtimePublisher publisher, Admission admission, WireFormat wire) {
		this.publisher = publisher;
		this.admission = admission;
		this.wire = wire;
	}

	@PostMapping("/publish")
	public ResponseEntity<String> publish(@RequestParam(name = "topic", required = false) @Nullable String topic,
			HttpServletRequest request) throws IOException {
		String valid;
		byte[] body;
		MediaType type;
		try {
			this.admission.client(request.getUserPrincipal(), request.getRemoteAddr()).publish();
			valid = this.admission.publish(topic, request.getUserPrincipal());
			this.admission.checkSize(request.getContentLengthLong(), "body");
			body = readBody(request.getInputStream());
			type = mediaType(request.getContentType());
		}
		catch (RealtimeException ex) {
			discard(request.getInputStream());
			throw ex;
		}
		Message message;
		if (MediaType.TEXT_PLAIN.includes(type)) {
			Charset charset = (type.getCharset() != null) ? type.getCharset() : StandardCharsets.UTF_8;
			message = this.publisher.publish(valid, new String(body, charset));
		}
		else {
			try {
				message = this.publisher.publishJson(valid, new String(body, StandardCharsets.UTF_8));
			}
			catch (IllegalArgumentException ex) {
				throw new RealtimeException(Reason.BAD_REQUEST, ex.getMessage());
			}
		}
		return ResponseEntity.status(HttpStatus.ACCEPTED)
			.contentType(MediaType.APPLICATION_JSON)
			.body(this.wire.accepted(message));
	}

	private byte[] readBody(InputStream in) throws IOException {
		byte[] body = in.readNBytes(this.admission.maxMessageSize() + 1);
		this.admission.checkSize(body.length, "body");
		return body;
	}

	/**
	 * Read what is left of a refused body, up to the size limit, so the connection stays usable:
	 * a container that does not swallow it (Jetty) closes the connection after the answer, and a
	 * client that sent its next request on it meanwhile sees it fail.
	 */
	private void discard(InputStream in) {
		try {
			for (long left = this.admission.maxMessageSize(); left > 0;) {
				long skipped = in.skip(left);
				if (skipped <= 0) {
					return;
				}
				left -= skipped;
			}
		}
		catch (IOException ex) {
			// the client went away: nothing to answer
		}
	}

	private static MediaType mediaType(@Nullable String contentType) {
		try {
			if (contentType != null) {
				MediaType type = MediaType.parseMediaType(contentType);
				if (MediaType.TEXT_PLAIN.includes(type) || MediaType.APPLICATION_JSON.isCompatibleWith(type)
						|| "json".equals(type.getSubtypeSuffix())) {
					return type;
				}
			}
		}
		catch (InvalidMediaTypeException ex) {
			// answered as unsupported below
		}
		throw new RealtimeException(Reason.UNSUPPORTED_MEDIA_TYPE, "body must be application/json or text/plain");
	}

}
