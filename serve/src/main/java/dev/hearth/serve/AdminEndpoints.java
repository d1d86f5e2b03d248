package dev.hearth.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.store.ApiKey;
import dev.hearth.store.CreatedKey;
import dev.hearth.store.ModelVersion;
import dev.hearth.store.NotFoundException;
import dev.hearth.store.RateLimit;
import dev.hearth.store.Role;
import dev.hearth.store.Store;
import dev.hearth.store.StoreException;

/** Endpoints for the admin role: the registry's aliases and the API keys. */
final class AdminEndpoints {
    private final Store store;

    AdminEndpoints(Store store) {
        this.store = store;
    }

    void models(Call call) {
        ArrayNode data = HearthServer.JSON.createArrayNode();
        for (String name : store.registry().names()) {
            ObjectNode m = data.addObject();
            m.put("name", name);
            ObjectNode aliases = m.putObject("aliases");
            store.registry().aliases(name).forEach(aliases::put);
            ArrayNode versions = m.putArray("versions");
            for (ModelVersion v : store.registry().versions(name)) {
                ObjectNode o = versions.addObject();
                o.put("version", v.version());
                o.put("sha256", v.sha256());
                o.put("bytes", v.bytes());
                o.put("created", v.createdAt().toString());
                o.put("source", v.source());
            }
        }
        ObjectNode out = HearthServer.JSON.createObjectNode();
        out.put("object", "list");
        out.set("data", data);
        call.json(out);
    }

    void setAlias(Call call) {
        String name = call.ctx().pathParam("name");
        RequestFields f = new RequestFields(HearthServer.parseBody(call.ctx(), 1 << 16));
        String alias = f.requiredString("alias");
        int version = (int) f.integer("version", 0, 1, Integer.MAX_VALUE);
        if (!f.has("version")) {
            throw ApiException.invalid("version", "missing required parameter 'version'");
        }
        try {
            store.registry().setAlias(name, alias, version);
        } catch (NotFoundException e) {
            throw ApiException.notFound("model_not_found", "version", e.getMessage());
        } catch (StoreException e) {
            throw ApiException.invalid("alias", e.getMessage());
        }
        call.model = name + "@" + alias;
        call.modelVersion = name + ":" + version;
        ObjectNode out = HearthServer.JSON.createObjectNode();
        out.put("name", name);
        out.put("alias", alias);
        out.put("version", version);
        call.json(out);
    }

    void rollback(Call call) {
        String name = call.ctx().pathParam("name");
        ModelVersion v;
        try {
            v = store.registry().rollback(name);
        } catch (NotFoundException e) {
            throw ApiException.notFound("model_not_found", "name", e.getMessage());
        } catch (StoreException e) {
            throw ApiException.invalid("name", e.getMessage());
        }
        call.model = name;
        call.modelVersion = v.ref();
        ObjectNode out = HearthServer.JSON.createObjectNode();
        out.put("name", name);
        out.put("champion", v.version());
        call.json(out);
    }

    void listKeys(Call call) {
        ArrayNode data = HearthServer.JSON.createArrayNode();
        for (ApiKey k : store.keys().list()) {
            data.add(key(k));
        }
        ObjectNode out = HearthServer.JSON.createObjectNode();
        out.put("object", "list");
        out.set("data", data);
        call.json(out);
    }

    void createKey(Call call) {
        RequestFields f = new RequestFields(HearthServer.parseBody(call.ctx(), 1 << 16));
        Role role;
        RateLimit rate;
        try {
            role = Role.parse(f.requiredString("role"));
            rate = f.has("rate") ? RateLimit.parse(f.requiredString("rate")) : null;
        } catch (StoreException e) {
            throw ApiException.invalid(null, e.getMessage());
        }
        Long tokens = f.has("tokens_per_day") ? f.integer("tokens_per_day", 0, 1, Long.MAX_VALUE) : null;
        CreatedKey created = store.keys().create(role, f.string("name", null), rate, tokens);
        ObjectNode out = key(created.key());
        out.put("key", created.secret());
        call.ctx().status(201);
        call.json(out);
    }

    void revokeKey(Call call) {
        try {
            call.json(key(store.keys().revoke(call.ctx().pathParam("id"))));
        } catch (NotFoundException e) {
            throw ApiException.notFound("key_not_found", "id", e.getMessage());
        }
    }

    private static ObjectNode key(ApiKey k) {
        ObjectNode o = HearthServer.JSON.createObjectNode();
        o.put("id", k.id());
        o.put("name", k.name());
        o.put("role", k.role().name().toLowerCase());
        o.put("rate", k.rate() == null ? null : k.rate().toString());
        if (k.tokensPerDay() == null) {
            o.putNull("tokens_per_day");
        } else {
            o.put("tokens_per_day", k.tokensPerDay());
        }
        o.put("created", k.createdAt().toString());
        o.put("revoked", k.revokedAt() == null ? null : k.revokedAt().toString());
        return o;
    }

}
