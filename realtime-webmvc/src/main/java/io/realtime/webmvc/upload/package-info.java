/**
 * Resumable file uploads speaking tus 1.0, with progress published on a realtime topic.
 */
@NullMarked
package io.realtime.webmvc.upload;

import org.jspecify.annotations.NullMarked;
