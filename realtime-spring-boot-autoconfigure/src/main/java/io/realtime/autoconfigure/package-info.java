/**
 * Auto-configuration of the realtime broker and transports.
 */
@NullMarked
package io.realtime.autoconfigure;

import org.jspecify.annotations.NullMarked;
