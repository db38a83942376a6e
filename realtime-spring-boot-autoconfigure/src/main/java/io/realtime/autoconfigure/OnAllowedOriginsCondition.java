package io.realtime.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.OnPropertyListCondition;

/**
 * Matches when {@code realtime.allowed-origins} names at least one origin, in either list form.
 */
class OnAllowedOriginsCondition extends OnPropertyListCondition {

	OnAllowedOriginsCondition() {
		super("realtime.allowed-origins", () -> ConditionMessage.forCondition("Realtime allowed origins"));
	}

}
