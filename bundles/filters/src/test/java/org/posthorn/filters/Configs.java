package org.posthorn.filters;

import java.lang.reflect.Proxy;
import java.util.Map;

/** Component configurations as Declarative Services builds them: given keys, else the annotation's defaults. */
final class Configs {

    private Configs() {
    }

    /** {@code values} keyed as in a .cfg file (dotted: {@code max.size} for {@code max_size()}). */
    static <T> T of(Class<T> type, Map<String, Object> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getName().equals("annotationType")) {
                return type;
            }
            Object value = values.get(method.getName().replace('_', '.'));
            return value != null ? value : method.getDefaultValue();
        }));
    }
}
