/**
 * What every transport shares: publishing ({@link io.realtime.webmvc.RealtimePublisher}),
 * admission of client requests ({@link io.realtime.webmvc.Admission}), the origin check
 * ({@link io.realtime.webmvc.AllowedOrigins}), the wire format
 * ({@link io.realtime.webmvc.WireFormat}) and open connections
 * ({@link io.realtime.webmvc.ConnectionRegistry}).
 */
@NullMarked
package io.realtime.webmvc;

import org.jspecify.annotations.NullMarked;
