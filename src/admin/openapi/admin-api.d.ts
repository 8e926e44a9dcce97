/**
 * The admin API's paths and schemas as TypeScript types, generated from its OpenAPI document by
 * openapi-typescript (scripts/admin-api-types.mjs, run by `npm run build`). Do not edit: change the routes.
 */
export interface paths {
    "/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What this node serves and where it listens */
        get: operations["getStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers (no token needed) */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: config loaded and store reachable, answered within 1 s (no token needed) */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List workspaces */
        get: operations["listWorkspaces"];
        put?: never;
        /** Create a workspace */
        post: operations["createWorkspace"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a workspace */
        get: operations["getWorkspace"];
        /** Replace a workspace, or create it */
        put: operations["replaceWorkspace"];
        post?: never;
        /** Delete a workspace and everything in it */
        delete: operations["deleteWorkspace"];
        options?: never;
        head?: never;
        /** Change some fields of a workspace */
        patch: operations["updateWorkspace"];
        trace?: never;
    };
    "/workspaces/{workspace}/upstreams": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List upstreams in a workspace */
        get: operations["listUpstreams"];
        put?: never;
        /** Create a upstream in a workspace */
        post: operations["createUpstream"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/upstreams/{idOrKey}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a upstream in a workspace */
        get: operations["getUpstream"];
        /** Replace a upstream in a workspace, or create it under this key */
        put: operations["replaceUpstream"];
        post?: never;
        /** Delete a upstream in a workspace */
        delete: operations["deleteUpstream"];
        options?: never;
        head?: never;
        /** Change some fields of a upstream in a workspace */
        patch: operations["updateUpstream"];
        trace?: never;
    };
    "/workspaces/{workspace}/services": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List services in a workspace */
        get: operations["listServices"];
        put?: never;
        /** Create a service in a workspace */
        post: operations["createService"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/services/{idOrKey}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a service in a workspace */
        get: operations["getService"];
        /** Replace a service in a workspace, or create it under this key */
        put: operations["replaceService"];
        post?: never;
        /** Delete a service in a workspace */
        delete: operations["deleteService"];
        options?: never;
        head?: never;
        /** Change some fields of a service in a workspace */
        patch: operations["updateService"];
        trace?: never;
    };
    "/workspaces/{workspace}/routes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List routes in a workspace */
        get: operations["listRoutes"];
        put?: never;
        /** Create a route in a workspace */
        post: operations["createRoute"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/routes/{idOrKey}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a route in a workspace */
        get: operations["getRoute"];
        /** Replace a route in a workspace, or create it under this key */
        put: operations["replaceRoute"];
        post?: never;
        /** Delete a route in a workspace */
        delete: operations["deleteRoute"];
        options?: never;
        head?: never;
        /** Change some fields of a route in a workspace */
        patch: operations["updateRoute"];
        trace?: never;
    };
    "/workspaces/{workspace}/plans": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List plans in a workspace */
        get: operations["listPlans"];
        put?: never;
        /** Create a plan in a workspace */
        post: operations["createPlan"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/plans/{idOrKey}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a plan in a workspace */
        get: operations["getPlan"];
        /** Replace a plan in a workspace, or create it under this key */
        put: operations["replacePlan"];
        post?: never;
        /** Delete a plan in a workspace */
        delete: operations["deletePlan"];
        options?: never;
        head?: never;
        /** Change some fields of a plan in a workspace */
        patch: operations["updatePlan"];
        trace?: never;
    };
    "/workspaces/{workspace}/consumers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List consumers in a workspace */
        get: operations["listConsumers"];
        put?: never;
        /** Create a consumer in a workspace */
        post: operations["createConsumer"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/consumers/{idOrKey}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a consumer in a workspace */
        get: operations["getConsumer"];
        /** Replace a consumer in a workspace, or create it under this key */
        put: operations["replaceConsumer"];
        post?: never;
        /** Delete a consumer in a workspace */
        delete: operations["deleteConsumer"];
        options?: never;
        head?: never;
        /** Change some fields of a consumer in a workspace */
        patch: operations["updateConsumer"];
        trace?: never;
    };
    "/workspaces/{workspace}/apps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List apps in a workspace */
        get: operations["listApps"];
        put?: never;
        /** Create a app in a workspace */
        post: operations["createApp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/apps/{idOrKey}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a app in a workspace */
        get: operations["getApp"];
        /** Replace a app in a workspace, or create it under this key */
        put: operations["replaceApp"];
        post?: never;
        /** Delete a app in a workspace */
        delete: operations["deleteApp"];
        options?: never;
        head?: never;
        /** Change some fields of a app in a workspace */
        patch: operations["updateApp"];
        trace?: never;
    };
    "/workspaces/{workspace}/subscriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List subscriptions in a workspace */
        get: operations["listSubscriptions"];
        put?: never;
        /** Create a subscription in a workspace */
        post: operations["createSubscription"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/subscriptions/{idOrKey}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a subscription in a workspace */
        get: operations["getSubscription"];
        /** Replace a subscription in a workspace, or create it under this key */
        put: operations["replaceSubscription"];
        post?: never;
        /** Delete a subscription in a workspace */
        delete: operations["deleteSubscription"];
        options?: never;
        head?: never;
        /** Change some fields of a subscription in a workspace */
        patch: operations["updateSubscription"];
        trace?: never;
    };
    "/workspaces/{workspace}/ai_providers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List ai_providers in a workspace */
        get: operations["listAiProviders"];
        put?: never;
        /** Create a AI provider in a workspace */
        post: operations["createAiProvider"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/ai_providers/{idOrKey}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a AI provider in a workspace */
        get: operations["getAiProvider"];
        /** Replace a AI provider in a workspace, or create it under this key */
        put: operations["replaceAiProvider"];
        post?: never;
        /** Delete a AI provider in a workspace */
        delete: operations["deleteAiProvider"];
        options?: never;
        head?: never;
        /** Change some fields of a AI provider in a workspace */
        patch: operations["updateAiProvider"];
        trace?: never;
    };
    "/workspaces/{workspace}/ai_models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List ai_models in a workspace */
        get: operations["listAiModels"];
        put?: never;
        /** Create a AI model in a workspace */
        post: operations["createAiModel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/ai_models/{idOrKey}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a AI model in a workspace */
        get: operations["getAiModel"];
        /** Replace a AI model in a workspace, or create it under this key */
        put: operations["replaceAiModel"];
        post?: never;
        /** Delete a AI model in a workspace */
        delete: operations["deleteAiModel"];
        options?: never;
        head?: never;
        /** Change some fields of a AI model in a workspace */
        patch: operations["updateAiModel"];
        trace?: never;
    };
    "/workspaces/{workspace}/prompt_apis": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List prompt_apis in a workspace */
        get: operations["listPromptApis"];
        put?: never;
        /** Create a prompt API in a workspace */
        post: operations["createPromptApi"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/prompt_apis/{idOrKey}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a prompt API in a workspace */
        get: operations["getPromptApi"];
        /** Replace a prompt API in a workspace, or create it under this key */
        put: operations["replacePromptApi"];
        post?: never;
        /** Delete a prompt API in a workspace */
        delete: operations["deletePromptApi"];
        options?: never;
        head?: never;
        /** Change some fields of a prompt API in a workspace */
        patch: operations["updatePromptApi"];
        trace?: never;
    };
    "/workspaces/{workspace}/plugins": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List plugins in a workspace */
        get: operations["listPlugins"];
        put?: never;
        /** Create a plugin in a workspace */
        post: operations["createPlugin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/plugins/{idOrKey}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a plugin in a workspace */
        get: operations["getPlugin"];
        /** Replace a plugin in a workspace, or create it under this key */
        put: operations["replacePlugin"];
        post?: never;
        /** Delete a plugin in a workspace */
        delete: operations["deletePlugin"];
        options?: never;
        head?: never;
        /** Change some fields of a plugin in a workspace */
        patch: operations["updatePlugin"];
        trace?: never;
    };
    "/workspaces/{workspace}/services/{service}/routes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the routes of a service in a workspace */
        get: operations["listServiceRoutes"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/subscriptions/{idOrKey}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approve a subscription (pending → approved) */
        post: operations["approveSubscription"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/subscriptions/{idOrKey}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reject a subscription (pending → rejected) */
        post: operations["rejectSubscription"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/subscriptions/{idOrKey}/suspend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Suspend a subscription (approved → suspended) */
        post: operations["suspendSubscription"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/subscriptions/{idOrKey}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume a subscription (suspended → approved) */
        post: operations["resumeSubscription"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/subscriptions/{idOrKey}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke a subscription (pending or approved or suspended → revoked) */
        post: operations["revokeSubscription"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/config": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Export a workspace as a declarative document */
        get: operations["exportConfig"];
        put?: never;
        /** Apply a declarative document (the full desired state of one workspace) */
        post: operations["applyConfig"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/audit-log": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List admin changes */
        get: operations["listAuditLog"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/plugins/available": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Plugins this build of Keyway provides */
        get: operations["listAvailablePlugins"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/apps/{app}/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List an app's keys in a workspace (never the keys themselves) */
        get: operations["listAppKeys"];
        put?: never;
        /** Issue a new key to an app in a workspace (the key is in this answer only) */
        post: operations["createAppKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/apps/{app}/keys/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import an existing key (from another gateway) for an app in a workspace */
        post: operations["importAppKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List keys in a workspace */
        get: operations["listKeys"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a key's record in a workspace */
        get: operations["getKey"];
        put?: never;
        post?: never;
        /** Revoke a key in a workspace: the next request with it gets 401 */
        delete: operations["revokeKey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/keys/{id}/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rotate a key in a workspace: a new key now, the old one valid for the grace period */
        post: operations["rotateKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Quota usage of a key, app or consumer in the current period */
        get: operations["getUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/explain": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Would this request be allowed, and why (route, identity, each access check), from the live snapshot */
        post: operations["explainRequest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/upstreams/{name}/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The health of an upstream's targets as this node sees them */
        get: operations["getUpstreamHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Search call records (newest first; order=asc with a cursor to follow) */
        get: operations["searchLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Search call records (newest first; order=asc with a cursor to follow) */
        get: operations["searchWorkspaceLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/analytics/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Totals, error rate, p50/p95/p99, tokens and cost grouped by one or two dimensions (top consumers, cost per consumer and model…) */
        get: operations["getAnalyticsSummary"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/analytics/timeseries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Calls, error rate and latency percentiles per minute, hour or day */
        get: operations["getAnalyticsTimeseries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/alerts/rules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List alert rules (secrets are never returned) */
        get: operations["listAlertRules"];
        put?: never;
        /** Create an alert rule; the answer shows the webhook signing secret once */
        post: operations["createAlertRule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/alerts/rules/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete an alert rule (by id or name) */
        delete: operations["deleteAlertRule"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/alerts/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alert state changes, newest first, with the webhook delivery status */
        get: operations["listAlertHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics (admin token or metrics token) */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admins": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List admin users */
        get: operations["listAdmins"];
        put?: never;
        /** Create an admin user with grants (role per workspace) and, for a person, a password */
        post: operations["createAdmin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admins/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an admin user */
        get: operations["getAdmin"];
        put?: never;
        post?: never;
        /** Delete an admin user and every token of theirs */
        delete: operations["deleteAdmin"];
        options?: never;
        head?: never;
        /** Change an admin user's grants (a workspace admin: those in their workspaces), set (null: remove) their password, or disable or enable them */
        patch: operations["updateAdmin"];
        trace?: never;
    };
    "/admins/{name}/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List an admin user's tokens and sessions (never the tokens themselves) */
        get: operations["listAdminTokens"];
        put?: never;
        /** Create a token for an admin user (the token is in this answer only) */
        post: operations["createAdminToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admins/{name}/tokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a token or session of an admin user: the next call with it gets 401 */
        delete: operations["revokeAdminToken"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Log in with a user name and password: a session token (no admin token needed) */
        post: operations["login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Versions of a workspace’s configuration kept in the history, newest first */
        get: operations["listConfigHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/history/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One kept version, with the whole workspace as a declarative document */
        get: operations["getConfigVersion"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/workspaces/{workspace}/history/{version}/rollback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Restore a kept version: applied as a declarative document, itself a new version */
        post: operations["rollbackConfig"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/portal/developers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List developer accounts of the portal */
        get: operations["listPortalDevelopers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/portal/developers/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Disable (or enable again) a developer account: a disabled one is signed out everywhere */
        patch: operations["updatePortalDeveloper"];
        trace?: never;
    };
    "/portal/outbox": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The portal's outbox: password-reset and verification messages, newest first */
        get: operations["listPortalOutbox"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/console/api/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who the console is signed in as */
        get: operations["getConsoleSession"];
        put?: never;
        /** Sign the console in: a password login or an admin token, kept in an HttpOnly cookie */
        post: operations["signInConsole"];
        /** Sign the console out: the login's session is revoked and the cookie cleared */
        delete: operations["signOutConsole"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AiModel: {
            name: string;
            targets: {
                provider: string;
                model: string;
                weight?: number;
            }[];
            fallbacks?: string[];
            retries?: number;
            retry_backoff_ms?: number;
            timeout_ms?: number;
            description?: string;
            tags?: string[];
            id: string;
            created_at: string;
            updated_at: string;
        };
        AiModelInput: {
            name: string;
            targets: {
                provider: string;
                model: string;
                weight?: number;
            }[];
            fallbacks?: string[];
            retries?: number;
            retry_backoff_ms?: number;
            timeout_ms?: number;
            description?: string;
            tags?: string[];
        };
        AiModelPage: {
            data: components["schemas"]["AiModel"][];
            /** @description Cursor for `after`, null on the last page. */
            next: string | null;
            total: number;
        };
        AiModelPatch: {
            name?: string;
            targets?: {
                provider: string;
                model: string;
                weight?: number;
            }[];
            fallbacks?: string[];
            retries?: number;
            retry_backoff_ms?: number;
            timeout_ms?: number;
            description?: string;
            tags?: string[];
        };
        AiProvider: {
            name: string;
            /** @enum {unknown} */
            type: "openai" | "azure" | "anthropic" | "gemini" | "mistral" | "ollama" | "openai_compatible" | "mock";
            base_url?: string;
            api_version?: string;
            keys?: {
                id: string;
                secret_env?: string;
                /**
                 * @description The secret is stored sealed (AES-256-GCM); it is never returned.
                 * @constant
                 */
                sealed?: true;
                enabled?: boolean;
            }[];
            headers?: {
                [key: string]: string;
            };
            prices?: {
                model: string;
                input: number;
                output: number;
                cached_input?: number;
            }[];
            timeout_ms?: number;
            cooldown_ms?: number;
            description?: string;
            tags?: string[];
            id: string;
            created_at: string;
            updated_at: string;
        };
        AiProviderInput: {
            name: string;
            /** @enum {unknown} */
            type: "openai" | "azure" | "anthropic" | "gemini" | "mistral" | "ollama" | "openai_compatible" | "mock";
            base_url?: string;
            api_version?: string;
            /** @description The key pool. Left out on update: the stored pool is kept. A key listed by id without a secret keeps its stored secret. */
            keys?: {
                id: string;
                /** @description The key in clear: sealed before it is stored, never returned. */
                secret?: string;
                /** @description A key sealed by a node with the same server secret (what export writes). */
                secret_enc?: string;
                /** @description Read the key from this environment variable. */
                secret_env?: string;
                enabled?: boolean;
                /**
                 * @description Read-only marker shown by GET; sent back it is ignored and the stored secret is kept.
                 * @constant
                 */
                sealed?: true;
            }[];
            headers?: {
                [key: string]: string;
            };
            prices?: {
                model: string;
                input: number;
                output: number;
                cached_input?: number;
            }[];
            timeout_ms?: number;
            cooldown_ms?: number;
            description?: string;
            tags?: string[];
        };
        AiProviderPage: {
            data: components["schemas"]["AiProvider"][];
            /** @description Cursor for `after`, null on the last page. */
            next: string | null;
            total: number;
        };
        AiProviderPatch: {
            name?: string;
            /** @enum {unknown} */
            type?: "openai" | "azure" | "anthropic" | "gemini" | "mistral" | "ollama" | "openai_compatible" | "mock";
            base_url?: string;
            api_version?: string;
            /** @description The key pool. Left out on update: the stored pool is kept. A key listed by id without a secret keeps its stored secret. */
            keys?: {
                id: string;
                /** @description The key in clear: sealed before it is stored, never returned. */
                secret?: string;
                /** @description A key sealed by a node with the same server secret (what export writes). */
                secret_enc?: string;
                /** @description Read the key from this environment variable. */
                secret_env?: string;
                enabled?: boolean;
                /**
                 * @description Read-only marker shown by GET; sent back it is ignored and the stored secret is kept.
                 * @constant
                 */
                sealed?: true;
            }[];
            headers?: {
                [key: string]: string;
            };
            prices?: {
                model: string;
                input: number;
                output: number;
                cached_input?: number;
            }[];
            timeout_ms?: number;
            cooldown_ms?: number;
            description?: string;
            tags?: string[];
        };
        App: {
            name: string;
            consumer: string;
            description?: string;
            enabled?: boolean;
            plan?: string;
            scopes?: string[];
            roles?: string[];
            client_ids?: string[];
            certificates?: {
                sha256_fingerprints?: string[];
                subjects?: string[];
                sans?: string[];
            };
            tags?: string[];
            id: string;
            created_at: string;
            updated_at: string;
        };
        AppInput: {
            name: string;
            consumer: string;
            description?: string;
            enabled?: boolean;
            plan?: string;
            scopes?: string[];
            roles?: string[];
            client_ids?: string[];
            certificates?: {
                sha256_fingerprints?: string[];
                subjects?: string[];
                sans?: string[];
            };
            tags?: string[];
        };
        ApplyResult: {
            workspace: string;
            dry_run: boolean;
            changes: {
                /** @enum {unknown} */
                action: "create" | "update" | "delete";
                /** @enum {unknown} */
                kind: "upstreams" | "services" | "routes" | "plans" | "consumers" | "apps" | "subscriptions" | "plugins" | "ai_providers" | "ai_models" | "prompt_apis";
                key: string;
                fields?: string[];
                before?: unknown;
                after?: unknown;
                /** @description For a deleted app: its API keys that still work, deleted with it. */
                keys?: number;
            }[];
            version: number;
            /**
             * @description Present when the workspace itself is (or would be) created or its description changed.
             * @enum {unknown}
             */
            workspace_action?: "create" | "update";
        };
        AppPage: {
            data: components["schemas"]["App"][];
            /** @description Cursor for `after`, null on the last page. */
            next: string | null;
            total: number;
        };
        AppPatch: {
            name?: string;
            consumer?: string;
            description?: string;
            enabled?: boolean;
            plan?: string;
            scopes?: string[];
            roles?: string[];
            client_ids?: string[];
            certificates?: {
                sha256_fingerprints?: string[];
                subjects?: string[];
                sans?: string[];
            };
            tags?: string[];
        };
        Consumer: {
            username: string;
            custom_id?: string;
            enabled?: boolean;
            plan?: string;
            groups?: string[];
            tags?: string[];
            id: string;
            created_at: string;
            updated_at: string;
        };
        ConsumerInput: {
            username: string;
            custom_id?: string;
            enabled?: boolean;
            plan?: string;
            groups?: string[];
            tags?: string[];
        };
        ConsumerPage: {
            data: components["schemas"]["Consumer"][];
            /** @description Cursor for `after`, null on the last page. */
            next: string | null;
            total: number;
        };
        ConsumerPatch: {
            username?: string;
            custom_id?: string;
            enabled?: boolean;
            plan?: string;
            groups?: string[];
            tags?: string[];
        };
        DeclarativeDocument: {
            /**
             * @description Always the string "1".
             * @enum {unknown}
             */
            _format_version: "1";
            _info?: {
                /** @description The document manages only the resources carrying all of these tags. */
                select_tags?: string[];
            };
            /** @description Workspace this document describes (default: "default"). */
            workspace?: string;
            description?: string;
            upstreams?: components["schemas"]["UpstreamInput"][];
            services?: {
                name: string;
                url: string;
                description?: string;
                tags?: string[];
                enabled?: boolean;
                connect_timeout_ms?: number;
                read_timeout_ms?: number;
                timeout_ms?: number;
                retries?: number;
                retry?: {
                    statuses?: number[];
                    backoff_ms?: number;
                    max_backoff_ms?: number;
                    budget_percent?: number;
                    budget_window_ms?: number;
                    budget_min?: number;
                    retry_after_max_ms?: number;
                };
                circuit_breaker?: {
                    error_rate?: number;
                    min_requests?: number;
                    window_ms?: number;
                    consecutive_failures?: number;
                    open_ms?: number;
                    half_open_probes?: number;
                    statuses?: number[];
                    fallback?: {
                        status: number;
                        headers?: {
                            [key: string]: string;
                        };
                        body?: string;
                    };
                };
                tls_verify?: boolean;
                /** @enum {unknown} */
                visibility?: "workspace" | "public";
                openapi?: {
                    openapi?: string;
                    info?: {
                        title?: string;
                        version?: string;
                    };
                    paths?: Record<string, never>;
                    /** @description Swagger 2.0 is not OpenAPI 3: convert the document first. */
                    swagger?: unknown;
                };
                /** @enum {unknown} */
                approval?: "auto" | "manual";
                subscription_required?: boolean;
                routes?: {
                    name: string;
                    service?: string;
                    hosts?: string[];
                    methods?: ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" | "TRACE" | "CONNECT")[];
                    paths?: string[];
                    headers?: {
                        [key: string]: string[];
                    };
                    strip_path?: boolean;
                    path_rewrite?: string;
                    preserve_host?: boolean;
                    allow_encoded_slashes?: boolean;
                    priority?: number;
                    tags?: string[];
                    plugins?: {
                        name: string;
                        enabled?: boolean;
                        config?: Record<string, never>;
                        tags?: string[];
                    }[];
                }[];
                plugins?: {
                    name: string;
                    enabled?: boolean;
                    config?: Record<string, never>;
                    tags?: string[];
                }[];
            }[];
            routes?: components["schemas"]["RouteInput"][];
            plans?: components["schemas"]["PlanInput"][];
            consumers?: {
                username: string;
                custom_id?: string;
                enabled?: boolean;
                plan?: string;
                groups?: string[];
                tags?: string[];
                plugins?: {
                    name: string;
                    enabled?: boolean;
                    config?: Record<string, never>;
                    tags?: string[];
                }[];
                apps?: {
                    name: string;
                    consumer?: string;
                    description?: string;
                    enabled?: boolean;
                    plan?: string;
                    scopes?: string[];
                    roles?: string[];
                    client_ids?: string[];
                    certificates?: {
                        sha256_fingerprints?: string[];
                        subjects?: string[];
                        sans?: string[];
                    };
                    tags?: string[];
                    keys?: {
                        /** @description The existing key in clear: hashed on arrival, never stored or logged. */
                        key: string;
                        /** @description Scopes of this key, narrowed to the app's. Absent: the app's scopes. */
                        scopes?: string[];
                        /** @description Free-form values handed to later phases as identity attributes (not secret). */
                        metadata?: Record<string, never>;
                        /** @description Plan or tier name, e.g. gold. */
                        tier?: string;
                        /**
                         * Format: date-time
                         * @description The key stops working at this time.
                         */
                        expires_at?: string;
                        /** @description Alternative to expires_at: seconds from now. */
                        expires_in_s?: number;
                    }[];
                }[];
            }[];
            apps?: {
                name: string;
                consumer: string;
                description?: string;
                enabled?: boolean;
                plan?: string;
                scopes?: string[];
                roles?: string[];
                client_ids?: string[];
                certificates?: {
                    sha256_fingerprints?: string[];
                    subjects?: string[];
                    sans?: string[];
                };
                tags?: string[];
                keys?: {
                    /** @description The existing key in clear: hashed on arrival, never stored or logged. */
                    key: string;
                    /** @description Scopes of this key, narrowed to the app's. Absent: the app's scopes. */
                    scopes?: string[];
                    /** @description Free-form values handed to later phases as identity attributes (not secret). */
                    metadata?: Record<string, never>;
                    /** @description Plan or tier name, e.g. gold. */
                    tier?: string;
                    /**
                     * Format: date-time
                     * @description The key stops working at this time.
                     */
                    expires_at?: string;
                    /** @description Alternative to expires_at: seconds from now. */
                    expires_in_s?: number;
                }[];
            }[];
            subscriptions?: components["schemas"]["SubscriptionInput"][];
            plugins?: components["schemas"]["PluginInput"][];
            ai_providers?: components["schemas"]["AiProviderInput"][];
            ai_models?: components["schemas"]["AiModelInput"][];
            prompt_apis?: components["schemas"]["PromptApiInput"][];
        };
        Error: {
            error: {
                /** @enum {string} */
                code: "KW_ERR_NO_ROUTE" | "KW_ERR_URI_TOO_LONG" | "KW_ERR_HEADERS_TOO_LARGE" | "KW_ERR_BAD_REQUEST" | "KW_ERR_REQUEST_TIMEOUT" | "KW_ERR_UPSTREAM_UNAVAILABLE" | "KW_ERR_UPSTREAM_BAD_RESPONSE" | "KW_ERR_UPSTREAM_TIMEOUT" | "KW_ERR_NO_TARGET" | "KW_ERR_CIRCUIT_OPEN" | "KW_ERR_SHUTTING_DOWN" | "KW_ERR_REQUEST_TERMINATED" | "KW_ERR_INTERNAL" | "KW_ERR_AUTH_MISSING" | "KW_ERR_AUTH_INVALID" | "KW_ERR_FORBIDDEN" | "KW_ERR_NOT_SUBSCRIBED" | "KW_ERR_ROLE_REQUIRED" | "KW_ERR_ACCESS_DENIED" | "KW_ERR_IP_DENIED" | "KW_ERR_AUTH_UNAVAILABLE" | "KW_ERR_RATE_LIMITED" | "KW_ERR_QUOTA_EXCEEDED" | "KW_ERR_CONCURRENCY_LIMITED" | "KW_ERR_LIMITS_UNAVAILABLE" | "KW_ERR_MODEL_NOT_FOUND" | "KW_ERR_MODEL_NOT_ALLOWED" | "KW_ERR_TOKEN_LIMIT_EXCEEDED" | "KW_ERR_BUDGET_EXCEEDED" | "KW_ERR_PROMPT_TOO_LARGE" | "KW_ERR_PROMPT_VARIABLES" | "KW_ERR_AI_PROVIDER" | "KW_ERR_AI_PROVIDER_TIMEOUT" | "KW_ERR_AI_NO_PROVIDER" | "KW_ERR_AI_STREAM_BROKEN" | "KW_ERR_AI_ENDPOINT" | "KW_ERR_CLIENT_CLOSED" | "KW_ERR_UNAUTHORIZED" | "KW_ERR_ADMIN_FORBIDDEN" | "KW_ERR_ADMIN_LOGIN_FAILED" | "KW_ERR_ADMIN_LOCKED_OUT" | "KW_ERR_CSRF" | "KW_ERR_WEB_NOT_BUILT" | "KW_ERR_ADMIN_LOGIN_THROTTLED" | "KW_ERR_ADMIN_GRANT_FORBIDDEN" | "KW_ERR_VALIDATION" | "KW_ERR_PORTAL_SIGNED_OUT" | "KW_ERR_PORTAL_CSRF" | "KW_ERR_PORTAL_LOGIN_FAILED" | "KW_ERR_PORTAL_LOCKED_OUT" | "KW_ERR_PORTAL_LOGIN_THROTTLED" | "KW_ERR_PORTAL_EMAIL_TAKEN" | "KW_ERR_PORTAL_EMAIL_UNVERIFIED" | "KW_ERR_PORTAL_LINK_INVALID" | "KW_ERR_PORTAL_OIDC" | "KW_ERR_NOT_FOUND" | "KW_ERR_ADMIN_ROUTE_NOT_FOUND" | "KW_ERR_CONFLICT" | "KW_ERR_SUBSCRIPTION_STATE" | "KW_ERR_REFERENCE" | "KW_ERR_ROUTE_COLLISION" | "KW_ERR_PLUGIN_UNKNOWN" | "KW_ERR_PLUGIN_CONFIG" | "KW_ERR_CONFIG_FILE" | "KW_ERR_PAYLOAD_TOO_LARGE" | "KW_ERR_UNSUPPORTED_MEDIA_TYPE" | "KW_ERR_BODY_TOO_DEEP" | "KW_ERR_STORE_UNAVAILABLE" | "KW_ERR_NOT_READY" | "KW_ERR_NODE_CONFIG" | "KW_ERR_TLS_CONFIG" | "KW_ERR_CLI_USAGE" | "KW_ERR_ADMIN_UNREACHABLE";
                message: string;
                request_id?: string;
                details?: {
                    /** @description JSON pointer into the request body. */
                    path: string;
                    message: string;
                }[];
            };
        };
        HistoryEntry: {
            workspace: string;
            version: number;
            /** @description When the version was made (ISO 8601). */
            at: string;
            /** @description Who made it. */
            actor: string;
            /** @description What changed, in a line. */
            summary: string;
        };
        HistoryEntryPage: {
            data: components["schemas"]["HistoryEntry"][];
            /** @description Cursor for `after`, null on the last page. */
            next: string | null;
            total: number;
        };
        HistoryVersion: {
            workspace: string;
            version: number;
            /** @description When the version was made (ISO 8601). */
            at: string;
            /** @description Who made it. */
            actor: string;
            /** @description What changed, in a line. */
            summary: string;
            document?: components["schemas"]["DeclarativeDocument"];
        };
        Plan: {
            name: string;
            description?: string;
            rate_limits?: {
                limit: number;
                /** @description A positive duration: 500ms, 1s, 1m, 1h or 1d (the number may be any positive integer). */
                window: string;
                /**
                 * @deprecated
                 * @description Deprecated and ignored: `limit` requests may come at once, and no `window` holds more. Accepted so configurations written for the former GCRA limits still load.
                 */
                burst?: number;
                /** @description What the counter is kept per; several make a compound key (e.g. [consumer, route]). */
                by?: ("key" | "app" | "consumer" | "plan" | "route" | "ip" | "header")[];
                header?: string;
                name?: string;
            }[];
            quotas?: ({
                limit: number;
                /** @enum {unknown} */
                period: "day" | "month" | "rolling";
                /** Format: iana-time-zone */
                time_zone?: string;
                /** @description A positive duration: 500ms, 1s, 1m, 1h or 1d (the number may be any positive integer). */
                window?: string;
                /** @description What the counter is kept per; several make a compound key (e.g. [consumer, route]). */
                by?: ("key" | "app" | "consumer" | "plan" | "route" | "ip" | "header")[];
                header?: string;
                name?: string;
            } & (unknown & unknown))[];
            concurrency?: {
                max: number;
                /** @description What the counter is kept per; several make a compound key (e.g. [consumer, route]). */
                by?: ("key" | "app" | "consumer" | "plan" | "route" | "ip" | "header")[];
                header?: string;
            };
            ai?: {
                /** @description Models the caller may use: aliases, provider/model, provider/* or *. Absent: all. */
                models?: string[];
                /** @description What the counter is kept per: key (default), app, consumer or plan. */
                by?: ("key" | "app" | "consumer" | "plan")[];
                requests_per_minute?: number;
                tokens_per_minute?: number;
                count_prompt_tokens?: boolean;
                budgets?: {
                    usd: number;
                    /** @enum {unknown} */
                    period: "day" | "month";
                    /** Format: iana-time-zone */
                    time_zone?: string;
                    alert_at?: number;
                    /** @description What the counter is kept per: key (default), app, consumer or plan. */
                    by?: ("key" | "app" | "consumer" | "plan")[];
                    name?: string;
                }[];
            };
            scopes?: string[];
            tags?: string[];
            id: string;
            created_at: string;
            updated_at: string;
        };
        PlanInput: {
            name: string;
            description?: string;
            rate_limits?: {
                limit: number;
                /** @description A positive duration: 500ms, 1s, 1m, 1h or 1d (the number may be any positive integer). */
                window: string;
                /**
                 * @deprecated
                 * @description Deprecated and ignored: `limit` requests may come at once, and no `window` holds more. Accepted so configurations written for the former GCRA limits still load.
                 */
                burst?: number;
                /** @description What the counter is kept per; several make a compound key (e.g. [consumer, route]). */
                by?: ("key" | "app" | "consumer" | "plan" | "route" | "ip" | "header")[];
                header?: string;
                name?: string;
            }[];
            quotas?: ({
                limit: number;
                /** @enum {unknown} */
                period: "day" | "month" | "rolling";
                /** Format: iana-time-zone */
                time_zone?: string;
                /** @description A positive duration: 500ms, 1s, 1m, 1h or 1d (the number may be any positive integer). */
                window?: string;
                /** @description What the counter is kept per; several make a compound key (e.g. [consumer, route]). */
                by?: ("key" | "app" | "consumer" | "plan" | "route" | "ip" | "header")[];
                header?: string;
                name?: string;
            } & (unknown & unknown))[];
            concurrency?: {
                max: number;
                /** @description What the counter is kept per; several make a compound key (e.g. [consumer, route]). */
                by?: ("key" | "app" | "consumer" | "plan" | "route" | "ip" | "header")[];
                header?: string;
            };
            ai?: {
                /** @description Models the caller may use: aliases, provider/model, provider/* or *. Absent: all. */
                models?: string[];
                /** @description What the counter is kept per: key (default), app, consumer or plan. */
                by?: ("key" | "app" | "consumer" | "plan")[];
                requests_per_minute?: number;
                tokens_per_minute?: number;
                count_prompt_tokens?: boolean;
                budgets?: {
                    usd: number;
                    /** @enum {unknown} */
                    period: "day" | "month";
                    /** Format: iana-time-zone */
                    time_zone?: string;
                    alert_at?: number;
                    /** @description What the counter is kept per: key (default), app, consumer or plan. */
                    by?: ("key" | "app" | "consumer" | "plan")[];
                    name?: string;
                }[];
            };
            scopes?: string[];
            tags?: string[];
        };
        PlanPage: {
            data: components["schemas"]["Plan"][];
            /** @description Cursor for `after`, null on the last page. */
            next: string | null;
            total: number;
        };
        PlanPatch: {
            name?: string;
            description?: string;
            rate_limits?: {
                limit: number;
                /** @description A positive duration: 500ms, 1s, 1m, 1h or 1d (the number may be any positive integer). */
                window: string;
                /**
                 * @deprecated
                 * @description Deprecated and ignored: `limit` requests may come at once, and no `window` holds more. Accepted so configurations written for the former GCRA limits still load.
                 */
                burst?: number;
                /** @description What the counter is kept per; several make a compound key (e.g. [consumer, route]). */
                by?: ("key" | "app" | "consumer" | "plan" | "route" | "ip" | "header")[];
                header?: string;
                name?: string;
            }[];
            quotas?: ({
                limit: number;
                /** @enum {unknown} */
                period: "day" | "month" | "rolling";
                /** Format: iana-time-zone */
                time_zone?: string;
                /** @description A positive duration: 500ms, 1s, 1m, 1h or 1d (the number may be any positive integer). */
                window?: string;
                /** @description What the counter is kept per; several make a compound key (e.g. [consumer, route]). */
                by?: ("key" | "app" | "consumer" | "plan" | "route" | "ip" | "header")[];
                header?: string;
                name?: string;
            } & (unknown & unknown))[];
            concurrency?: {
                max: number;
                /** @description What the counter is kept per; several make a compound key (e.g. [consumer, route]). */
                by?: ("key" | "app" | "consumer" | "plan" | "route" | "ip" | "header")[];
                header?: string;
            };
            ai?: {
                /** @description Models the caller may use: aliases, provider/model, provider/* or *. Absent: all. */
                models?: string[];
                /** @description What the counter is kept per: key (default), app, consumer or plan. */
                by?: ("key" | "app" | "consumer" | "plan")[];
                requests_per_minute?: number;
                tokens_per_minute?: number;
                count_prompt_tokens?: boolean;
                budgets?: {
                    usd: number;
                    /** @enum {unknown} */
                    period: "day" | "month";
                    /** Format: iana-time-zone */
                    time_zone?: string;
                    alert_at?: number;
                    /** @description What the counter is kept per: key (default), app, consumer or plan. */
                    by?: ("key" | "app" | "consumer" | "plan")[];
                    name?: string;
                }[];
            };
            scopes?: string[];
            tags?: string[];
        };
        Plugin: {
            name: string;
            enabled?: boolean;
            service?: string;
            route?: string;
            consumer?: string;
            config?: Record<string, never>;
            tags?: string[];
            id: string;
            created_at: string;
            updated_at: string;
        };
        PluginInput: {
            name: string;
            enabled?: boolean;
            service?: string;
            route?: string;
            consumer?: string;
            config?: Record<string, never>;
            tags?: string[];
        };
        PluginPage: {
            data: components["schemas"]["Plugin"][];
            /** @description Cursor for `after`, null on the last page. */
            next: string | null;
            total: number;
        };
        PluginPatch: {
            name?: string;
            enabled?: boolean;
            service?: string;
            route?: string;
            consumer?: string;
            config?: Record<string, never>;
            tags?: string[];
        };
        PromptApi: {
            name: string;
            model: string;
            template: string;
            system?: string;
            variables?: {
                [key: string]: {
                    description?: string;
                    required?: boolean;
                    default?: string;
                    max_length?: number;
                };
            };
            output?: {
                /** @enum {unknown} */
                format: "text" | "json";
                schema?: Record<string, never>;
            };
            /** @enum {unknown} */
            response?: "result" | "openai";
            parameters?: {
                temperature?: number;
                top_p?: number;
                max_tokens?: number;
                stop?: string[];
            };
            description?: string;
            tags?: string[];
            id: string;
            created_at: string;
            updated_at: string;
        };
        PromptApiInput: {
            name: string;
            model: string;
            template: string;
            system?: string;
            variables?: {
                [key: string]: {
                    description?: string;
                    required?: boolean;
                    default?: string;
                    max_length?: number;
                };
            };
            output?: {
                /** @enum {unknown} */
                format: "text" | "json";
                schema?: Record<string, never>;
            };
            /** @enum {unknown} */
            response?: "result" | "openai";
            parameters?: {
                temperature?: number;
                top_p?: number;
                max_tokens?: number;
                stop?: string[];
            };
            description?: string;
            tags?: string[];
        };
        PromptApiPage: {
            data: components["schemas"]["PromptApi"][];
            /** @description Cursor for `after`, null on the last page. */
            next: string | null;
            total: number;
        };
        PromptApiPatch: {
            name?: string;
            model?: string;
            template?: string;
            system?: string;
            variables?: {
                [key: string]: {
                    description?: string;
                    required?: boolean;
                    default?: string;
                    max_length?: number;
                };
            };
            output?: {
                /** @enum {unknown} */
                format: "text" | "json";
                schema?: Record<string, never>;
            };
            /** @enum {unknown} */
            response?: "result" | "openai";
            parameters?: {
                temperature?: number;
                top_p?: number;
                max_tokens?: number;
                stop?: string[];
            };
            description?: string;
            tags?: string[];
        };
        Route: {
            name: string;
            service: string;
            hosts?: string[];
            methods?: ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" | "TRACE" | "CONNECT")[];
            paths?: string[];
            headers?: {
                [key: string]: string[];
            };
            strip_path?: boolean;
            path_rewrite?: string;
            preserve_host?: boolean;
            allow_encoded_slashes?: boolean;
            priority?: number;
            tags?: string[];
            id: string;
            created_at: string;
            updated_at: string;
        };
        RouteInput: {
            name: string;
            service: string;
            hosts?: string[];
            methods?: ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" | "TRACE" | "CONNECT")[];
            paths?: string[];
            headers?: {
                [key: string]: string[];
            };
            strip_path?: boolean;
            path_rewrite?: string;
            preserve_host?: boolean;
            allow_encoded_slashes?: boolean;
            priority?: number;
            tags?: string[];
        };
        RoutePage: {
            data: components["schemas"]["Route"][];
            /** @description Cursor for `after`, null on the last page. */
            next: string | null;
            total: number;
        };
        RoutePatch: {
            name?: string;
            service?: string;
            hosts?: string[];
            methods?: ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" | "TRACE" | "CONNECT")[];
            paths?: string[];
            headers?: {
                [key: string]: string[];
            };
            strip_path?: boolean;
            path_rewrite?: string;
            preserve_host?: boolean;
            allow_encoded_slashes?: boolean;
            priority?: number;
            tags?: string[];
        };
        Service: {
            name: string;
            url: string;
            description?: string;
            tags?: string[];
            enabled?: boolean;
            connect_timeout_ms?: number;
            read_timeout_ms?: number;
            timeout_ms?: number;
            retries?: number;
            retry?: {
                statuses?: number[];
                backoff_ms?: number;
                max_backoff_ms?: number;
                budget_percent?: number;
                budget_window_ms?: number;
                budget_min?: number;
                retry_after_max_ms?: number;
            };
            circuit_breaker?: {
                error_rate?: number;
                min_requests?: number;
                window_ms?: number;
                consecutive_failures?: number;
                open_ms?: number;
                half_open_probes?: number;
                statuses?: number[];
                fallback?: {
                    status: number;
                    headers?: {
                        [key: string]: string;
                    };
                    body?: string;
                };
            };
            tls_verify?: boolean;
            /** @enum {unknown} */
            visibility?: "workspace" | "public";
            openapi?: {
                openapi?: string;
                info?: {
                    title?: string;
                    version?: string;
                };
                paths?: Record<string, never>;
                /** @description Swagger 2.0 is not OpenAPI 3: convert the document first. */
                swagger?: unknown;
            };
            /** @enum {unknown} */
            approval?: "auto" | "manual";
            subscription_required?: boolean;
            id: string;
            created_at: string;
            updated_at: string;
        };
        ServiceInput: {
            name: string;
            url: string;
            description?: string;
            tags?: string[];
            enabled?: boolean;
            connect_timeout_ms?: number;
            read_timeout_ms?: number;
            timeout_ms?: number;
            retries?: number;
            retry?: {
                statuses?: number[];
                backoff_ms?: number;
                max_backoff_ms?: number;
                budget_percent?: number;
                budget_window_ms?: number;
                budget_min?: number;
                retry_after_max_ms?: number;
            };
            circuit_breaker?: {
                error_rate?: number;
                min_requests?: number;
                window_ms?: number;
                consecutive_failures?: number;
                open_ms?: number;
                half_open_probes?: number;
                statuses?: number[];
                fallback?: {
                    status: number;
                    headers?: {
                        [key: string]: string;
                    };
                    body?: string;
                };
            };
            tls_verify?: boolean;
            /** @enum {unknown} */
            visibility?: "workspace" | "public";
            openapi?: {
                openapi?: string;
                info?: {
                    title?: string;
                    version?: string;
                };
                paths?: Record<string, never>;
                /** @description Swagger 2.0 is not OpenAPI 3: convert the document first. */
                swagger?: unknown;
            };
            /** @enum {unknown} */
            approval?: "auto" | "manual";
            subscription_required?: boolean;
        };
        ServicePage: {
            data: components["schemas"]["Service"][];
            /** @description Cursor for `after`, null on the last page. */
            next: string | null;
            total: number;
        };
        ServicePatch: {
            name?: string;
            url?: string;
            description?: string;
            tags?: string[];
            enabled?: boolean;
            connect_timeout_ms?: number;
            read_timeout_ms?: number;
            timeout_ms?: number;
            retries?: number;
            retry?: {
                statuses?: number[];
                backoff_ms?: number;
                max_backoff_ms?: number;
                budget_percent?: number;
                budget_window_ms?: number;
                budget_min?: number;
                retry_after_max_ms?: number;
            };
            circuit_breaker?: {
                error_rate?: number;
                min_requests?: number;
                window_ms?: number;
                consecutive_failures?: number;
                open_ms?: number;
                half_open_probes?: number;
                statuses?: number[];
                fallback?: {
                    status: number;
                    headers?: {
                        [key: string]: string;
                    };
                    body?: string;
                };
            };
            tls_verify?: boolean;
            /** @enum {unknown} */
            visibility?: "workspace" | "public";
            openapi?: {
                openapi?: string;
                info?: {
                    title?: string;
                    version?: string;
                };
                paths?: Record<string, never>;
                /** @description Swagger 2.0 is not OpenAPI 3: convert the document first. */
                swagger?: unknown;
            };
            /** @enum {unknown} */
            approval?: "auto" | "manual";
            subscription_required?: boolean;
        };
        Subscription: {
            app: string;
            service: string;
            plan?: string;
            /** @enum {unknown} */
            status?: "pending" | "approved" | "rejected" | "suspended" | "revoked";
            reason?: string;
            decided_by?: string;
            decided_at?: string;
            description?: string;
            tags?: string[];
            id: string;
            created_at: string;
            updated_at: string;
        };
        SubscriptionInput: {
            app: string;
            service: string;
            plan?: string;
            /** @enum {unknown} */
            status?: "pending" | "approved" | "rejected" | "suspended" | "revoked";
            reason?: string;
            decided_by?: string;
            decided_at?: string;
            description?: string;
            tags?: string[];
        };
        SubscriptionPage: {
            data: components["schemas"]["Subscription"][];
            /** @description Cursor for `after`, null on the last page. */
            next: string | null;
            total: number;
        };
        SubscriptionPatch: {
            app?: string;
            service?: string;
            plan?: string;
            /** @enum {unknown} */
            status?: "pending" | "approved" | "rejected" | "suspended" | "revoked";
            reason?: string;
            decided_by?: string;
            decided_at?: string;
            description?: string;
            tags?: string[];
        };
        Upstream: {
            name: string;
            /** @enum {unknown} */
            algorithm?: "round-robin" | "least-connections" | "consistent-hashing";
            hash_on?: {
                /** @enum {unknown} */
                by: "consumer" | "key" | "ip" | "header" | "cookie";
                name?: string;
            };
            healthchecks?: {
                passive?: {
                    failures?: number;
                    timeouts?: number;
                    statuses?: number[];
                    cooldown_ms?: number;
                    successes?: number;
                };
                active?: {
                    path?: string;
                    interval_ms?: number;
                    timeout_ms?: number;
                    healthy_threshold?: number;
                    unhealthy_threshold?: number;
                    statuses?: number[];
                };
            };
            circuit_breaker?: {
                error_rate?: number;
                min_requests?: number;
                window_ms?: number;
                consecutive_failures?: number;
                open_ms?: number;
                half_open_probes?: number;
                statuses?: number[];
                fallback?: {
                    status: number;
                    headers?: {
                        [key: string]: string;
                    };
                    body?: string;
                };
            };
            dns_refresh_ms?: number;
            targets: {
                target: string;
                weight?: number;
            }[];
            tags?: string[];
            id: string;
            created_at: string;
            updated_at: string;
        };
        UpstreamInput: {
            name: string;
            /** @enum {unknown} */
            algorithm?: "round-robin" | "least-connections" | "consistent-hashing";
            hash_on?: {
                /** @enum {unknown} */
                by: "consumer" | "key" | "ip" | "header" | "cookie";
                name?: string;
            };
            healthchecks?: {
                passive?: {
                    failures?: number;
                    timeouts?: number;
                    statuses?: number[];
                    cooldown_ms?: number;
                    successes?: number;
                };
                active?: {
                    path?: string;
                    interval_ms?: number;
                    timeout_ms?: number;
                    healthy_threshold?: number;
                    unhealthy_threshold?: number;
                    statuses?: number[];
                };
            };
            circuit_breaker?: {
                error_rate?: number;
                min_requests?: number;
                window_ms?: number;
                consecutive_failures?: number;
                open_ms?: number;
                half_open_probes?: number;
                statuses?: number[];
                fallback?: {
                    status: number;
                    headers?: {
                        [key: string]: string;
                    };
                    body?: string;
                };
            };
            dns_refresh_ms?: number;
            targets: {
                target: string;
                weight?: number;
            }[];
            tags?: string[];
        };
        UpstreamPage: {
            data: components["schemas"]["Upstream"][];
            /** @description Cursor for `after`, null on the last page. */
            next: string | null;
            total: number;
        };
        UpstreamPatch: {
            name?: string;
            /** @enum {unknown} */
            algorithm?: "round-robin" | "least-connections" | "consistent-hashing";
            hash_on?: {
                /** @enum {unknown} */
                by: "consumer" | "key" | "ip" | "header" | "cookie";
                name?: string;
            };
            healthchecks?: {
                passive?: {
                    failures?: number;
                    timeouts?: number;
                    statuses?: number[];
                    cooldown_ms?: number;
                    successes?: number;
                };
                active?: {
                    path?: string;
                    interval_ms?: number;
                    timeout_ms?: number;
                    healthy_threshold?: number;
                    unhealthy_threshold?: number;
                    statuses?: number[];
                };
            };
            circuit_breaker?: {
                error_rate?: number;
                min_requests?: number;
                window_ms?: number;
                consecutive_failures?: number;
                open_ms?: number;
                half_open_probes?: number;
                statuses?: number[];
                fallback?: {
                    status: number;
                    headers?: {
                        [key: string]: string;
                    };
                    body?: string;
                };
            };
            dns_refresh_ms?: number;
            targets?: {
                target: string;
                weight?: number;
            }[];
            tags?: string[];
        };
        Workspace: {
            name: string;
            description?: string;
            tags?: string[];
            id: string;
            created_at: string;
            updated_at: string;
        };
        WorkspaceInput: {
            name: string;
            description?: string;
            tags?: string[];
        };
        WorkspacePage: {
            data: components["schemas"]["Workspace"][];
            /** @description Cursor for `after`, null on the last page. */
            next: string | null;
            total: number;
        };
        WorkspacePatch: {
            name?: string;
            description?: string;
            tags?: string[];
        };
    };
    responses: {
        /** @description The request is invalid: the error names the field */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description No valid admin token or session */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The caller’s grants do not allow this */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Not found */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Conflicts with the current configuration */
        Conflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Internal error: the node’s log has the details under the request id */
        InternalError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Not ready, or the feature is off on this node */
        NotReady: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getStatus: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Keyway version. */
                        version: string;
                        /** @description Config version of the snapshot being served. */
                        config_version: number;
                        started_at: string;
                        proxy: {
                            http?: string;
                            https?: string;
                        };
                        admin: string;
                        /** @enum {unknown} */
                        store: "sqlite" | "postgres";
                        /** @description The store answered a ping just now (within 1 s); without it the node serves its last config. */
                        store_reachable: boolean;
                        routes: number;
                        services: number;
                        /** @description Upstream targets as this node's health checks and circuit breakers see them (each node checks for itself); `GET /upstreams/{name}/health` has the detail. */
                        upstreams: {
                            targets: number;
                            /** @description In rotation: healthy or on probation, breaker closed. */
                            healthy: number;
                            unhealthy: {
                                workspace?: string;
                                upstream?: string;
                                target?: string;
                                health?: string;
                                breaker?: string;
                            }[];
                        };
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {unknown} */
                        status?: "ok";
                    };
                };
            };
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {unknown} */
                        ready?: true;
                    };
                };
            };
            503: components["responses"]["NotReady"];
        };
    };
    listWorkspaces: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkspacePage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    createWorkspace: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WorkspaceInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workspace"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getWorkspace: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workspace"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    replaceWorkspace: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WorkspaceInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workspace"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workspace"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    deleteWorkspace: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    updateWorkspace: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WorkspacePatch"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workspace"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listUpstreams: {
        parameters: {
            query?: {
                limit?: number;
                /** @description The `next` cursor of the previous page. */
                after?: string;
                /** @description Exact key (name, username or plugin key). */
                name?: string;
                /** @description Only resources carrying this tag. */
                tag?: string;
            };
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UpstreamPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    createUpstream: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpstreamInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Upstream"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getUpstream: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the upstream */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Upstream"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    replaceUpstream: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the upstream */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpstreamInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Upstream"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Upstream"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    deleteUpstream: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the upstream */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    updateUpstream: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the upstream */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpstreamPatch"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Upstream"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listServices: {
        parameters: {
            query?: {
                limit?: number;
                /** @description The `next` cursor of the previous page. */
                after?: string;
                /** @description Exact key (name, username or plugin key). */
                name?: string;
                /** @description Only resources carrying this tag. */
                tag?: string;
            };
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ServicePage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    createService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ServiceInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Service"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the service */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Service"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    replaceService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the service */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ServiceInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Service"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Service"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    deleteService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the service */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    updateService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the service */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ServicePatch"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Service"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listRoutes: {
        parameters: {
            query?: {
                limit?: number;
                /** @description The `next` cursor of the previous page. */
                after?: string;
                /** @description Exact key (name, username or plugin key). */
                name?: string;
                /** @description Only resources carrying this tag. */
                tag?: string;
            };
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RoutePage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    createRoute: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RouteInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Route"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getRoute: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the route */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Route"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    replaceRoute: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the route */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RouteInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Route"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Route"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    deleteRoute: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the route */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    updateRoute: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the route */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RoutePatch"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Route"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listPlans: {
        parameters: {
            query?: {
                limit?: number;
                /** @description The `next` cursor of the previous page. */
                after?: string;
                /** @description Exact key (name, username or plugin key). */
                name?: string;
                /** @description Only resources carrying this tag. */
                tag?: string;
            };
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PlanPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    createPlan: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PlanInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Plan"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getPlan: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the plan */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Plan"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    replacePlan: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the plan */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PlanInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Plan"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Plan"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    deletePlan: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the plan */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    updatePlan: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the plan */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PlanPatch"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Plan"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listConsumers: {
        parameters: {
            query?: {
                limit?: number;
                /** @description The `next` cursor of the previous page. */
                after?: string;
                /** @description Exact key (name, username or plugin key). */
                name?: string;
                /** @description Only resources carrying this tag. */
                tag?: string;
            };
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConsumerPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    createConsumer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConsumerInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Consumer"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getConsumer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the consumer */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Consumer"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    replaceConsumer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the consumer */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConsumerInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Consumer"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Consumer"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    deleteConsumer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the consumer */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    updateConsumer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the consumer */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConsumerPatch"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Consumer"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listApps: {
        parameters: {
            query?: {
                limit?: number;
                /** @description The `next` cursor of the previous page. */
                after?: string;
                /** @description Exact key (name, username or plugin key). */
                name?: string;
                /** @description Only resources carrying this tag. */
                tag?: string;
            };
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AppPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    createApp: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AppInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["App"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getApp: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the app */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["App"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    replaceApp: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the app */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AppInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["App"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["App"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    deleteApp: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the app */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    updateApp: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the app */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AppPatch"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["App"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listSubscriptions: {
        parameters: {
            query?: {
                limit?: number;
                /** @description The `next` cursor of the previous page. */
                after?: string;
                /** @description Exact key, `app@service`. */
                name?: string;
                /** @description Only resources carrying this tag. */
                tag?: string;
                /** @description Only subscriptions in this status. */
                status?: "pending" | "approved" | "rejected" | "suspended" | "revoked";
                /** @description Only subscriptions of this app. */
                app?: string;
                /** @description Only subscriptions to this service. */
                service?: string;
            };
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SubscriptionPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    createSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SubscriptionInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Subscription"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the subscription */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Subscription"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    replaceSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the subscription */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SubscriptionInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Subscription"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Subscription"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    deleteSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the subscription */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    updateSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the subscription */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SubscriptionPatch"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Subscription"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listAiProviders: {
        parameters: {
            query?: {
                limit?: number;
                /** @description The `next` cursor of the previous page. */
                after?: string;
                /** @description Exact key (name, username or plugin key). */
                name?: string;
                /** @description Only resources carrying this tag. */
                tag?: string;
            };
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AiProviderPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    createAiProvider: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AiProviderInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AiProvider"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getAiProvider: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the AI provider */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AiProvider"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    replaceAiProvider: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the AI provider */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AiProviderInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AiProvider"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AiProvider"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    deleteAiProvider: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the AI provider */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    updateAiProvider: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the AI provider */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AiProviderPatch"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AiProvider"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listAiModels: {
        parameters: {
            query?: {
                limit?: number;
                /** @description The `next` cursor of the previous page. */
                after?: string;
                /** @description Exact key (name, username or plugin key). */
                name?: string;
                /** @description Only resources carrying this tag. */
                tag?: string;
            };
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AiModelPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    createAiModel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AiModelInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AiModel"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getAiModel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the AI model */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AiModel"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    replaceAiModel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the AI model */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AiModelInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AiModel"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AiModel"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    deleteAiModel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the AI model */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    updateAiModel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the AI model */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AiModelPatch"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AiModel"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listPromptApis: {
        parameters: {
            query?: {
                limit?: number;
                /** @description The `next` cursor of the previous page. */
                after?: string;
                /** @description Exact key (name, username or plugin key). */
                name?: string;
                /** @description Only resources carrying this tag. */
                tag?: string;
            };
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PromptApiPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    createPromptApi: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PromptApiInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PromptApi"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getPromptApi: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the prompt API */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PromptApi"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    replacePromptApi: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the prompt API */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PromptApiInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PromptApi"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PromptApi"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    deletePromptApi: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the prompt API */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    updatePromptApi: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the prompt API */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PromptApiPatch"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PromptApi"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listPlugins: {
        parameters: {
            query?: {
                limit?: number;
                /** @description The `next` cursor of the previous page. */
                after?: string;
                /** @description Exact key (name, username or plugin key). */
                name?: string;
                /** @description Only resources carrying this tag. */
                tag?: string;
            };
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PluginPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    createPlugin: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PluginInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Plugin"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getPlugin: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the plugin */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Plugin"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    replacePlugin: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the plugin */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PluginInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Plugin"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Plugin"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    deletePlugin: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the plugin */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    updatePlugin: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or key of the plugin */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PluginPatch"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Plugin"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listServiceRoutes: {
        parameters: {
            query?: {
                limit?: number;
                /** @description The `next` cursor of the previous page. */
                after?: string;
                /** @description Exact key (name, username or plugin key). */
                name?: string;
                /** @description Only resources carrying this tag. */
                tag?: string;
            };
            header?: never;
            path: {
                workspace: string;
                /** @description Id or name of the service */
                service: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RoutePage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    approveSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or `app@service` */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Why (required to reject, suspend and revoke; shown to admins, never to callers). */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Subscription"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    rejectSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or `app@service` */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Why (required to reject, suspend and revoke; shown to admins, never to callers). */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Subscription"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    suspendSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or `app@service` */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Why (required to reject, suspend and revoke; shown to admins, never to callers). */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Subscription"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    resumeSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or `app@service` */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Why (required to reject, suspend and revoke; shown to admins, never to callers). */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Subscription"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    revokeSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or `app@service` */
                idOrKey: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Why (required to reject, suspend and revoke; shown to admins, never to callers). */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Subscription"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    exportConfig: {
        parameters: {
            query?: {
                workspace?: string;
                /** @description Only resources carrying every one of these tags (repeat the parameter). */
                select_tag?: string | string[];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeclarativeDocument"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    applyConfig: {
        parameters: {
            query?: {
                /** @description Only compute the changes. */
                dry_run?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DeclarativeDocument"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApplyResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listAuditLog: {
        parameters: {
            query?: {
                workspace?: string;
                limit?: number;
                after?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            id: number;
                            at: string;
                            /** @description Name of the admin token that made the change. */
                            actor: string;
                            /** @enum {unknown} */
                            action: "create" | "update" | "delete" | "apply";
                            workspace: string;
                            kind: string;
                            key: string;
                            before?: unknown;
                            after?: unknown;
                        }[];
                        /** @description Cursor for `after`, null on the last page. */
                        next: string | null;
                        total: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listAvailablePlugins: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            name: string;
                            description: string;
                            priority?: number;
                            /** @description JSON schema of the plugin resource's `config`. */
                            config_schema: Record<string, never>;
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listAppKeys: {
        parameters: {
            query?: {
                limit?: number;
                after?: string;
            };
            header?: never;
            path: {
                workspace: string;
                /** @description Id or name of the app */
                app: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            id: string;
                            workspace: string;
                            app: string;
                            app_id: string;
                            /** @description Start of the key, enough to tell keys apart. */
                            visible_id: string;
                            /** @enum {unknown} */
                            env: "live" | "test";
                            /** @enum {unknown} */
                            source?: "generated" | "imported";
                            /** @enum {unknown} */
                            status: "active" | "revoked";
                            /** @enum {unknown} */
                            state: "active" | "grace" | "expired" | "revoked";
                            scopes?: string[];
                            metadata?: Record<string, never>;
                            tier?: string;
                            expires_at?: string;
                            created_at: string;
                            revoked_at?: string;
                            replaced_by?: string;
                            grace_until?: string;
                            last_used_at?: string;
                        }[];
                        /** @description Cursor for `after`, null on the last page. */
                        next: string | null;
                        total: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    createAppKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or name of the app */
                app: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description The `kw_<env>_` prefix.
                     * @default live
                     * @enum {unknown}
                     */
                    env?: "live" | "test";
                    /** @description Scopes of this key, narrowed to the app's. Absent: the app's scopes. */
                    scopes?: string[];
                    /** @description Free-form values handed to later phases as identity attributes (not secret). */
                    metadata?: Record<string, never>;
                    /** @description Plan or tier name, e.g. gold. */
                    tier?: string;
                    /**
                     * Format: date-time
                     * @description The key stops working at this time.
                     */
                    expires_at?: string;
                    /** @description Alternative to expires_at: seconds from now. */
                    expires_in_s?: number;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The key in clear. Shown once: store it now. */
                        key: string;
                        record: {
                            id: string;
                            workspace: string;
                            app: string;
                            app_id: string;
                            /** @description Start of the key, enough to tell keys apart. */
                            visible_id: string;
                            /** @enum {unknown} */
                            env: "live" | "test";
                            /** @enum {unknown} */
                            source?: "generated" | "imported";
                            /** @enum {unknown} */
                            status: "active" | "revoked";
                            /** @enum {unknown} */
                            state: "active" | "grace" | "expired" | "revoked";
                            scopes?: string[];
                            metadata?: Record<string, never>;
                            tier?: string;
                            expires_at?: string;
                            created_at: string;
                            revoked_at?: string;
                            replaced_by?: string;
                            grace_until?: string;
                            last_used_at?: string;
                        };
                        previous?: {
                            id: string;
                            workspace: string;
                            app: string;
                            app_id: string;
                            /** @description Start of the key, enough to tell keys apart. */
                            visible_id: string;
                            /** @enum {unknown} */
                            env: "live" | "test";
                            /** @enum {unknown} */
                            source?: "generated" | "imported";
                            /** @enum {unknown} */
                            status: "active" | "revoked";
                            /** @enum {unknown} */
                            state: "active" | "grace" | "expired" | "revoked";
                            scopes?: string[];
                            metadata?: Record<string, never>;
                            tier?: string;
                            expires_at?: string;
                            created_at: string;
                            revoked_at?: string;
                            replaced_by?: string;
                            grace_until?: string;
                            last_used_at?: string;
                        };
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    importAppKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id or name of the app */
                app: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The existing key in clear: hashed on arrival, never stored or logged. */
                    key: string;
                    /** @description Scopes of this key, narrowed to the app's. Absent: the app's scopes. */
                    scopes?: string[];
                    /** @description Free-form values handed to later phases as identity attributes (not secret). */
                    metadata?: Record<string, never>;
                    /** @description Plan or tier name, e.g. gold. */
                    tier?: string;
                    /**
                     * Format: date-time
                     * @description The key stops working at this time.
                     */
                    expires_at?: string;
                    /** @description Alternative to expires_at: seconds from now. */
                    expires_in_s?: number;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        workspace: string;
                        app: string;
                        app_id: string;
                        /** @description Start of the key, enough to tell keys apart. */
                        visible_id: string;
                        /** @enum {unknown} */
                        env: "live" | "test";
                        /** @enum {unknown} */
                        source?: "generated" | "imported";
                        /** @enum {unknown} */
                        status: "active" | "revoked";
                        /** @enum {unknown} */
                        state: "active" | "grace" | "expired" | "revoked";
                        scopes?: string[];
                        metadata?: Record<string, never>;
                        tier?: string;
                        expires_at?: string;
                        created_at: string;
                        revoked_at?: string;
                        replaced_by?: string;
                        grace_until?: string;
                        last_used_at?: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listKeys: {
        parameters: {
            query?: {
                /** @description Only this app’s keys (id or name). */
                app?: string;
                limit?: number;
                after?: string;
            };
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            id: string;
                            workspace: string;
                            app: string;
                            app_id: string;
                            /** @description Start of the key, enough to tell keys apart. */
                            visible_id: string;
                            /** @enum {unknown} */
                            env: "live" | "test";
                            /** @enum {unknown} */
                            source?: "generated" | "imported";
                            /** @enum {unknown} */
                            status: "active" | "revoked";
                            /** @enum {unknown} */
                            state: "active" | "grace" | "expired" | "revoked";
                            scopes?: string[];
                            metadata?: Record<string, never>;
                            tier?: string;
                            expires_at?: string;
                            created_at: string;
                            revoked_at?: string;
                            replaced_by?: string;
                            grace_until?: string;
                            last_used_at?: string;
                        }[];
                        /** @description Cursor for `after`, null on the last page. */
                        next: string | null;
                        total: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id of the key */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        workspace: string;
                        app: string;
                        app_id: string;
                        /** @description Start of the key, enough to tell keys apart. */
                        visible_id: string;
                        /** @enum {unknown} */
                        env: "live" | "test";
                        /** @enum {unknown} */
                        source?: "generated" | "imported";
                        /** @enum {unknown} */
                        status: "active" | "revoked";
                        /** @enum {unknown} */
                        state: "active" | "grace" | "expired" | "revoked";
                        scopes?: string[];
                        metadata?: Record<string, never>;
                        tier?: string;
                        expires_at?: string;
                        created_at: string;
                        revoked_at?: string;
                        replaced_by?: string;
                        grace_until?: string;
                        last_used_at?: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    revokeKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id of the key */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        workspace: string;
                        app: string;
                        app_id: string;
                        /** @description Start of the key, enough to tell keys apart. */
                        visible_id: string;
                        /** @enum {unknown} */
                        env: "live" | "test";
                        /** @enum {unknown} */
                        source?: "generated" | "imported";
                        /** @enum {unknown} */
                        status: "active" | "revoked";
                        /** @enum {unknown} */
                        state: "active" | "grace" | "expired" | "revoked";
                        scopes?: string[];
                        metadata?: Record<string, never>;
                        tier?: string;
                        expires_at?: string;
                        created_at: string;
                        revoked_at?: string;
                        replaced_by?: string;
                        grace_until?: string;
                        last_used_at?: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    rotateKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                /** @description Id of the key */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description How long the old key keeps working (default 24 h; 0 stops it at once).
                     * @default 86400
                     */
                    grace_period_s?: number;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The key in clear. Shown once: store it now. */
                        key: string;
                        record: {
                            id: string;
                            workspace: string;
                            app: string;
                            app_id: string;
                            /** @description Start of the key, enough to tell keys apart. */
                            visible_id: string;
                            /** @enum {unknown} */
                            env: "live" | "test";
                            /** @enum {unknown} */
                            source?: "generated" | "imported";
                            /** @enum {unknown} */
                            status: "active" | "revoked";
                            /** @enum {unknown} */
                            state: "active" | "grace" | "expired" | "revoked";
                            scopes?: string[];
                            metadata?: Record<string, never>;
                            tier?: string;
                            expires_at?: string;
                            created_at: string;
                            revoked_at?: string;
                            replaced_by?: string;
                            grace_until?: string;
                            last_used_at?: string;
                        };
                        previous?: {
                            id: string;
                            workspace: string;
                            app: string;
                            app_id: string;
                            /** @description Start of the key, enough to tell keys apart. */
                            visible_id: string;
                            /** @enum {unknown} */
                            env: "live" | "test";
                            /** @enum {unknown} */
                            source?: "generated" | "imported";
                            /** @enum {unknown} */
                            status: "active" | "revoked";
                            /** @enum {unknown} */
                            state: "active" | "grace" | "expired" | "revoked";
                            scopes?: string[];
                            metadata?: Record<string, never>;
                            tier?: string;
                            expires_at?: string;
                            created_at: string;
                            revoked_at?: string;
                            replaced_by?: string;
                            grace_until?: string;
                            last_used_at?: string;
                        };
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getUsage: {
        parameters: {
            query?: {
                key?: string;
                app?: string;
                consumer?: string;
            };
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A JSON object */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    explainRequest: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {unknown} */
                    method: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" | "TRACE" | "CONNECT";
                    path: string;
                    host?: string;
                    /** @description Request headers as the client would send them (names are case-insensitive). */
                    headers?: {
                        [key: string]: string;
                    };
                    /** @description Default 127.0.0.1. */
                    client_ip?: string;
                    /** @description The caller is this API key (by id; never the key itself). */
                    key_id?: string;
                    /** @description The caller is any credential of this app. */
                    app?: string;
                    /** @description The caller is this consumer, without an app. */
                    consumer?: string;
                };
            };
        };
        responses: {
            /** @description A JSON object */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getUpstreamHealth: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        upstream: string;
                        workspace: string;
                        algorithm?: string;
                        active_checks?: boolean;
                        passive_checks?: boolean;
                        targets: {
                            /** @description `host:port` as configured. */
                            target: string;
                            weight: number;
                            /**
                             * @description `probation`: back in rotation after a passive cooldown; `unchecked`: no service of this node uses the upstream.
                             * @enum {unknown}
                             */
                            health: "healthy" | "unhealthy" | "probation" | "unchecked";
                            /**
                             * @description Absent without a circuit breaker.
                             * @enum {unknown}
                             */
                            breaker?: "closed" | "open" | "half-open";
                            /** @description Requests to the target in flight from this node. */
                            in_flight: number;
                            last_check?: {
                                at?: string;
                                status?: number;
                                error?: string;
                            };
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    searchLogs: {
        parameters: {
            query?: {
                consumer?: string;
                route?: string;
                service?: string;
                app?: string;
                credential?: string;
                request_id?: string;
                status?: string;
                /** @description Duration back from now (2h, 30m, 7d) or ISO time. Default 1h. */
                since?: string;
                until?: string;
                limit?: number;
                /** @description Cursor from `next` of the previous page. */
                after?: string;
                order?: "desc" | "asc";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: Record<string, never>[];
                        next: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    searchWorkspaceLogs: {
        parameters: {
            query?: {
                consumer?: string;
                route?: string;
                service?: string;
                app?: string;
                credential?: string;
                request_id?: string;
                status?: string;
                /** @description Duration back from now (2h, 30m, 7d) or ISO time. Default 1h. */
                since?: string;
                until?: string;
                limit?: number;
                /** @description Cursor from `next` of the previous page. */
                after?: string;
                order?: "desc" | "asc";
            };
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: Record<string, never>[];
                        next: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getAnalyticsSummary: {
        parameters: {
            query?: {
                /** @description Duration back from now (24h, 30d) or ISO time. Default 24h. */
                since?: string;
                until?: string;
                /** @description Minute, hour or day buckets; default follows the window. */
                grain?: "m" | "h" | "d";
                workspace?: string;
                service?: string;
                route?: string;
                consumer?: string;
                app?: string;
                /** @description AI calls served by this provider. */
                provider?: string;
                /** @description AI calls served by this model (the provider's name for it). */
                model?: string;
                /** @description One of workspace, service, route, consumer, app, provider, model, status_class; or two, comma-separated (consumer,model). */
                group_by?: string;
                order_by?: "count" | "errors" | "error_rate" | "cost" | "tokens";
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getAnalyticsTimeseries: {
        parameters: {
            query?: {
                /** @description Duration back from now (24h, 30d) or ISO time. Default 24h. */
                since?: string;
                until?: string;
                /** @description Minute, hour or day buckets; default follows the window. */
                grain?: "m" | "h" | "d";
                workspace?: string;
                service?: string;
                route?: string;
                consumer?: string;
                app?: string;
                /** @description AI calls served by this provider. */
                provider?: string;
                /** @description AI calls served by this model (the provider's name for it). */
                model?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listAlertRules: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    createAlertRule: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /** @enum {unknown} */
                    kind: "error_rate" | "latency_p99" | "auth_failures" | "ai_budget" | "quota" | "new_network" | "subscription" | "upstream_health";
                    threshold?: number;
                    window_minutes?: number;
                    min_requests?: number;
                    scope?: {
                        service?: string;
                        route?: string;
                        consumer?: string;
                        /** @enum {unknown} */
                        per?: "ip" | "credential";
                    };
                    webhook_url: string;
                    secret?: string;
                    enabled?: boolean;
                    network?: {
                        ipv4_prefix?: number;
                        ipv6_prefix?: number;
                        lookback_days?: number;
                        learning_hours?: number;
                    };
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    deleteAlertRule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listAlertHistory: {
        parameters: {
            query?: {
                limit?: number;
                rule?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The Prometheus text exposition format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    listAdmins: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    createAdmin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    grants?: {
                        /** @description A workspace, or `*` for all. */
                        workspace: string | "*";
                        /** @enum {unknown} */
                        role: "super_admin" | "workspace_admin" | "api_publisher" | "approver" | "viewer";
                    }[];
                    password?: string;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getAdmin: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    deleteAdmin: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    updateAdmin: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    grants?: {
                        /** @description A workspace, or `*` for all. */
                        workspace: string | "*";
                        /** @enum {unknown} */
                        role: "super_admin" | "workspace_admin" | "api_publisher" | "approver" | "viewer";
                    }[];
                    password?: string | null;
                    disabled?: boolean;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listAdminTokens: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    createAdminToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /** @default 90 */
                    ttl_days?: number;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    revokeAdminToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    user: string;
                    password: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listConfigHistory: {
        parameters: {
            query?: {
                limit?: number;
                /** @description The version the previous page ended at. */
                after?: number;
            };
            header?: never;
            path: {
                workspace: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HistoryEntryPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getConfigVersion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                workspace: string;
                version: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HistoryVersion"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    rollbackConfig: {
        parameters: {
            query?: {
                /** @description Only compute the changes. */
                dry_run?: boolean;
            };
            header?: never;
            path: {
                workspace: string;
                version: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApplyResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listPortalDevelopers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            id: string;
                            email: string;
                            name: string;
                            /** @description Its consumer, in every workspace the portal publishes. */
                            consumer: string;
                            /** @description Signs in with a password (the hash is never shown). */
                            password: boolean;
                            email_verified: boolean;
                            oidc_issuer?: string;
                            disabled: boolean;
                            created_at: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    updatePortalDeveloper: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    disabled: boolean;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        email: string;
                        name: string;
                        /** @description Its consumer, in every workspace the portal publishes. */
                        consumer: string;
                        /** @description Signs in with a password (the hash is never shown). */
                        password: boolean;
                        email_verified: boolean;
                        oidc_issuer?: string;
                        disabled: boolean;
                        created_at: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    listPortalOutbox: {
        parameters: {
            query?: {
                /** @description Only messages to this email. */
                to?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            id: number;
                            at: string;
                            to_email: string;
                            /** @enum {unknown} */
                            purpose: "reset" | "verify";
                            subject: string;
                            /** @description The message, its link included: hand it to the developer only. */
                            body: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    getConsoleSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    signInConsole: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    user?: string;
                    password?: string;
                    /** @description An admin token, instead of a password. */
                    token?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    signOutConsole: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
}
