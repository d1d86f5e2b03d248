package dev.hearth.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RoleTest {

    @Test
    void parsesIgnoringCase() {
        assertThat(Role.parse("user")).isEqualTo(Role.USER);
        assertThat(Role.parse(" Admin ")).isEqualTo(Role.ADMIN);
        assertThat(Role.parse("AUDITOR")).isEqualTo(Role.AUDITOR);
    }

    @Test
    void listsTheRolesWhenItCannot() {
        for (String bad : new String[] {"root", "", null}) {
            assertThatThrownBy(() -> Role.parse(bad))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("unknown role")
                    .hasMessageContaining("user, admin, auditor");
        }
    }
}
