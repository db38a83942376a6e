package io.realtime.test;

import io.realtime.webmvc.RealtimePublisher;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/**
 * {@link SecuredApplication}'s security with the starter's default authorization policy, which
 * keeps each user's private topics ({@link RealtimePublisher#publishToUser}) to that user.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(SecuredApplication.Security.class)
public class UsersApplication {

}
