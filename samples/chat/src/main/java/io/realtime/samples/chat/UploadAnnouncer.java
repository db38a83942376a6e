package io.realtime.samples.chat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import io.realtime.webmvc.RealtimePublisher;
import io.realtime.webmvc.upload.UploadCompletedEvent;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The completion hook of the upload page: when an upload's last byte is stored, the server
 * "processes" it (here: its SHA-256) and announces it on the {@code uploads} topic, which every
 * open upload page shows.
 */
@Component
class UploadAnnouncer {

	private final RealtimePublisher realtime;

	UploadAnnouncer(RealtimePublisher realtime) {
		this.realtime = realtime;
	}

	@EventListener
	void uploaded(UploadCompletedEvent upload) throws IOException, NoSuchAlgorithmException {
		MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
		try (InputStream in = new DigestInputStream(Files.newInputStream(upload.file()), sha256)) {
			in.transferTo(java.io.OutputStream.nullOutputStream());
		}
		Map<String, Object> processed = new LinkedHashMap<>();
		processed.put("type", "processed");
		processed.put("id", upload.id());
		processed.put("name", upload.metadata().getOrDefault("filename", upload.id()));
		processed.put("size", upload.length());
		processed.put("sha256", HexFormat.of().formatHex(sha256.digest()));
		this.realtime.publish("uploads", processed);
	}

}
