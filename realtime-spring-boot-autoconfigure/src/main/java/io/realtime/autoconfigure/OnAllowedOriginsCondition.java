package io.realtime.autoconfigure;

import java.util.List;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code realtime.allowed-origins} names at least one origin, bound as
 * {@link RealtimeProperties} binds it: {@code allowed-origins: []} names none.
 */
class OnAllowedOriginsCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		List<String> origins = Binder.get(context.getEnvironment())
			.bind("realtime.allowed-origins", Bindable.listOf(String.class))
			.orElse(List.of());
		ConditionMessage.Builder message = ConditionMessage.forCondition("Realtime allowed origins");
		return origins.isEmpty() ? ConditionOutcome.noMatch(message.because("none are configured"))
				: ConditionOutcome.match(message.found("origin", "origins").items(origins));
	}

}
