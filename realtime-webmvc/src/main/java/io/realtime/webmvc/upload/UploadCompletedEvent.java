package io.realtime.webmvc.upload;

import java.nio.file.Path;
import java.security.Principal;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Published through the application's event publisher when the last byte of an upload is
 * stored, after the final progress message. Listeners run before the client's last request is
 * answered; the file is the application's from then on (move it, or delete it).
 *
 * <pre class="code">
 * &#64;EventListener
 * void uploaded(UploadCompletedEvent upload) throws IOException {
 *     Files.move(upload.file(), archive.resolve(upload.id()));
 * }
 * </pre>
 *
 * @param id the upload's id, also the last segment of its URL and of its topic {@code uploads/<id>}
 * @param file where the bytes are
 * @param length the upload's length in bytes
 * @param metadata the decoded {@code Upload-Metadata} the client sent (such as {@code filename})
 * @param principal the user that created the upload, or {@code null} when anonymous
 * @since 0.1.0
 */
public record UploadCompletedEvent(String id, Path file, long length, Map<String, String> metadata,
		@Nullable Principal principal) {

	/**
	 * The topic the upload's progress is published on.
	 * @return {@code uploads/<id>}
	 */
	public String topic() {
		return Upload.topic(this.id);
	}

}
