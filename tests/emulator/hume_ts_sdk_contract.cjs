// Hume's official TypeScript SDK (npm "hume") driving the emulator: every prompts, tools, configs and
// voices method (and the chats / chat groups reads), with their results checked, as
// test_sdk_contract.py does with the Python SDK. Run by tests/emulator/test_ts_sdk_contract.py:
//
//   node hume_ts_sdk_contract.cjs SDK_DIR BASE_URL API_KEY
//
// SDK_DIR holds node_modules/hume. Prints one JSON report on stdout: the SDK's version, the methods
// each client has, the methods exercised, and every check with its error (if any).
"use strict";

const assert = require("node:assert/strict");
const path = require("node:path");

const [sdkDir, baseUrl, apiKey] = process.argv.slice(2);
const entry = require.resolve("hume", { paths: [path.resolve(sdkDir)] });
const { HumeClient, HumeError } = require(entry);
const sdkVersion = require(path.join(path.dirname(entry), "..", "..", "package.json")).version;

const client = new HumeClient({ apiKey, baseUrl });
const NO_RETRY = { maxRetries: 0 };
const PARAMETERS = JSON.stringify({
  type: "object",
  properties: { order_id: { type: "string" } },
  required: ["order_id"],
});

// Every SDK method a check calls goes through a proxy that records "<client>.<method>".
const exercised = new Set();
function recorded(label, target) {
  return new Proxy(target, {
    get(object, property) {
      const value = Reflect.get(object, property, object);
      if (typeof value !== "function" || typeof property !== "string" || property.startsWith("_")) return value;
      return (...args) => {
        exercised.add(`${label}.${property}`);
        return value.apply(object, args);
      };
    },
  });
}

const evi = client.empathicVoice;
const raw = {
  prompts: evi.prompts,
  tools: evi.tools,
  configs: evi.configs,
  voices: client.tts.voices,
  chats: evi.chats,
  chatGroups: evi.chatGroups,
};
const sdk = Object.fromEntries(Object.entries(raw).map(([label, c]) => [label, recorded(label, c)]));
const available = Object.fromEntries(
  Object.entries(raw).map(([label, c]) => [
    label,
    Object.getOwnPropertyNames(Object.getPrototypeOf(c)).filter(
      (n) => n !== "constructor" && !n.startsWith("_") && typeof c[n] === "function",
    ),
  ]),
);

async function all(pagePromise) {
  const items = [];
  for await (const item of await pagePromise) items.push(item);
  return items;
}

async function admin(route, body) {
  const response = await fetch(baseUrl + route, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hume-api-key": apiKey },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok, `${route}: ${response.status}`);
  return response.json();
}

async function rejects(promise, status) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HumeError, `expected a HumeError, got ${error}`);
    assert.equal(error.statusCode, status);
    return error;
  }
  assert.fail(`expected a ${status} error`);
}

const checks = [];
async function check(name, body) {
  await admin("/_emulator/reset");
  try {
    await body();
    checks.push({ name, ok: true });
  } catch (error) {
    checks.push({ name, ok: false, error: String((error && error.stack) || error) });
  }
}

async function main() {
  await check("prompts: every method", async () => {
    const p = await sdk.prompts.createPrompt({ name: "support-agent", text: "v0" });
    assert.equal(p.version, 0);
    assert.equal(p.versionType, "FIXED");
    const v1 = await sdk.prompts.createPromptVersion(p.id, { text: "v1", versionDescription: "second" });
    const v2 = await sdk.prompts.createPromptVersion(p.id, { text: "v2" });
    assert.deepEqual([v1.version, v2.version, v2.createdOn], [1, 2, p.createdOn]);
    const latest = await sdk.prompts.listPromptVersions(p.id);
    assert.deepEqual(latest.promptsPage.map((x) => x.version), [2]);
    const history = await sdk.prompts.listPromptVersions(p.id, { restrictToMostRecent: false });
    assert.deepEqual(history.promptsPage.map((x) => x.version), [0, 1, 2]);
    const got = await sdk.prompts.getPromptVersion(p.id, 1);
    assert.equal(got.text, "v1");
    assert.equal(got.versionDescription, "second");
    const described = await sdk.prompts.updatePromptDescription(p.id, 1, { versionDescription: "edited" });
    assert.equal(described.versionDescription, "edited");
    assert.equal(await sdk.prompts.updatePromptName(p.id, { name: "renamed" }), "");
    assert.deepEqual((await all(sdk.prompts.listPrompts({ name: "renamed" }))).map((x) => x.name), ["renamed"]);
    await sdk.prompts.deletePromptVersion(p.id, 2);
    assert.deepEqual((await all(sdk.prompts.listPrompts())).map((x) => x.version), [1]);
    await sdk.prompts.deletePrompt(p.id);
    assert.deepEqual(await all(sdk.prompts.listPrompts()), []);
  });

  await check("tools: every method", async () => {
    const t = await sdk.tools.createTool({
      name: "lookup_order",
      parameters: PARAMETERS,
      description: "Find an order.",
      fallbackContent: "Unavailable.",
    });
    assert.equal(t.toolType, "FUNCTION");
    assert.equal(t.parameters, PARAMETERS);
    const v1 = await sdk.tools.createToolVersion(t.id, { parameters: PARAMETERS, description: "By id." });
    assert.equal(v1.version, 1);
    assert.deepEqual((await all(sdk.tools.listToolVersions(t.id))).map((x) => x.version), [1]);
    const every = await all(sdk.tools.listToolVersions(t.id, { restrictToMostRecent: false }));
    assert.deepEqual(every.map((x) => x.version), [0, 1]);
    assert.equal((await sdk.tools.getToolVersion(t.id, 0)).description, "Find an order.");
    const described = await sdk.tools.updateToolDescription(t.id, 0, { versionDescription: "first" });
    assert.equal(described.versionDescription, "first");
    assert.equal(await sdk.tools.updateToolName(t.id, { name: "find_order" }), "");
    const both = await all(sdk.tools.listTools({ restrictToMostRecent: false }));
    assert.deepEqual(both.map((x) => x.name), ["find_order", "find_order"]);
    await sdk.tools.deleteToolVersion(t.id, 0);
    assert.deepEqual((await all(sdk.tools.listTools({ name: "find_order" }))).map((x) => x.version), [1]);
    await sdk.tools.deleteTool(t.id);
    assert.deepEqual(await all(sdk.tools.listTools()), []);
  });

  await check("configs: every method", async () => {
    const prompt = await sdk.prompts.createPrompt({ name: "desk-prompt", text: "Be kind." });
    const tool = await sdk.tools.createTool({ name: "lookup_order", parameters: PARAMETERS });
    const c = await sdk.configs.createConfig({
      name: "support-desk",
      eviVersion: "3",
      prompt: { id: prompt.id, version: 0 },
      tools: [{ id: tool.id, version: 0 }],
      builtinTools: [{ name: "hang_up" }],
      voice: { provider: "HUME_AI", name: "Male English Actor" },
      languageModel: { modelProvider: "ANTHROPIC", modelResource: "claude-3-7-sonnet-latest", temperature: 0.5 },
      timeouts: { inactivity: { enabled: true, durationSecs: 120 } },
      ellmModel: { allowShortResponses: true },
    });
    assert.equal(c.version, 0);
    assert.equal(c.prompt.text, "Be kind.");
    assert.equal(c.tools[0].parameters, PARAMETERS);
    assert.equal(c.voice.id, "9e068547-5ba4-4c8e-8e03-69282a008f04");
    assert.deepEqual(c.voice.compatibleOctaveModels, ["1", "2"]);
    assert.equal(c.timeouts.inactivity.durationSecs, 120);
    assert.equal(c.timeouts.maxDuration.durationSecs, 1800);
    assert.equal(c.builtinTools[0].toolType, "BUILTIN");
    const v1 = await sdk.configs.createConfigVersion(c.id, { eviVersion: "3", versionDescription: "no tools" });
    assert.equal(v1.version, 1);
    assert.deepEqual(v1.tools, []);
    assert.equal(v1.ellmModel.allowShortResponses, true); // inherited, as the spec says
    assert.deepEqual((await all(sdk.configs.listConfigVersions(c.id))).map((x) => x.version), [1]);
    const every = await all(sdk.configs.listConfigVersions(c.id, { restrictToMostRecent: false }));
    assert.deepEqual(every.map((x) => x.version), [0, 1]);
    assert.equal((await sdk.configs.getConfigVersion(c.id, 0)).prompt.id, prompt.id);
    const described = await sdk.configs.updateConfigDescription(c.id, 0, { versionDescription: "pinned" });
    assert.equal(described.versionDescription, "pinned");
    assert.equal(await sdk.configs.updateConfigName(c.id, { name: "front-desk" }), "");
    assert.deepEqual((await all(sdk.configs.listConfigs())).map((x) => x.name), ["front-desk"]);
    await sdk.configs.deleteConfigVersion(c.id, 1);
    assert.deepEqual((await all(sdk.configs.listConfigs({ name: "front-desk" }))).map((x) => x.version), [0]);
    await sdk.configs.deleteConfig(c.id);
    assert.deepEqual(await all(sdk.configs.listConfigs()), []);
  });

  await check("voices: list (the whole library), create, delete", async () => {
    const library = await all(sdk.voices.list({ provider: "HUME_AI" }));
    assert.ok(library.length > 100, `library of ${library.length}`);
    const ava = library.find((v) => v.name === "Ava Song");
    assert.equal(ava.id, "5bb7de05-c8fe-426a-8fcc-ba4fc4ce9f9c");
    assert.deepEqual(await all(sdk.voices.list({ provider: "CUSTOM_VOICE" })), []);
    const voice = await sdk.voices.create({ generationId: "795c949a-1510-4a80-9646-7d0863b023ab", name: "Narrator" });
    assert.equal(voice.provider, "CUSTOM_VOICE");
    assert.deepEqual((await all(sdk.voices.list({ provider: "CUSTOM_VOICE" }))).map((v) => v.id), [voice.id]);
    const config = await sdk.configs.createConfig({ name: "narrated", eviVersion: "3", voice: { name: "Narrator" } });
    assert.equal(config.voice.id, voice.id);
    await sdk.voices.delete({ name: "Narrator" });
    assert.deepEqual(await all(sdk.voices.list({ provider: "CUSTOM_VOICE" })), []);
    await rejects(sdk.voices.create({ generationId: "g", name: "" }, NO_RETRY), 422);
  });

  await check("pagination: the pager walks every page", async () => {
    for (let i = 0; i < 23; i += 1) await sdk.prompts.createPrompt({ name: `prompt-${String(i).padStart(2, "0")}`, text: "x" });
    const names = (await all(sdk.prompts.listPrompts({ pageSize: 5 }))).map((p) => p.name);
    assert.deepEqual(names, Array.from({ length: 23 }, (_, i) => `prompt-${String(i).padStart(2, "0")}`));
  });

  await check("errors: the SDK's error types and statuses", async () => {
    await sdk.prompts.createPrompt({ name: "taken", text: "x" });
    const duplicate = await rejects(sdk.prompts.createPrompt({ name: "taken", text: "y" }, NO_RETRY), 400);
    assert.match(duplicate.body.message, /already exists/);
    const retired = await rejects(sdk.configs.createConfig({ name: "old", eviVersion: "2" }, NO_RETRY), 400);
    assert.equal(retired.body.code, "unsupported_evi_version");
    const unknown = "00000000-0000-4000-8000-000000000000";
    await rejects(sdk.prompts.getPromptVersion(unknown, 0, NO_RETRY), 404);
    await rejects(sdk.tools.deleteTool(unknown, NO_RETRY), 404);
    const wrongKey = new HumeClient({ apiKey: "not-the-key", baseUrl });
    await rejects(wrongKey.empathicVoice.prompts.listPrompts({}, NO_RETRY), 401);
  });

  await check("chats and chat groups: every read", async () => {
    const seeded = await admin("/_emulator/seed", { chats: [{ events: [{ message_text: "Hello." }] }] });
    const chatId = seeded.chats[0];
    const chats = await all(sdk.chats.listChats());
    assert.deepEqual(chats.map((c) => [c.id, c.status]), [[chatId, "USER_ENDED"]]);
    assert.deepEqual((await all(sdk.chats.listChatEvents(chatId))).map((e) => e.messageText), ["Hello."]);
    assert.equal((await sdk.chats.getAudio(chatId)).status, "QUEUED");
    const groups = await all(sdk.chatGroups.listChatGroups());
    assert.equal(groups[0].numChats, 1);
    assert.deepEqual((await sdk.chatGroups.getChatGroup(groups[0].id)).chatsPage.map((c) => c.id), [chatId]);
    assert.equal((await all(sdk.chatGroups.listChatGroupEvents(groups[0].id))).length, 1);
    assert.equal((await sdk.chatGroups.getAudio(groups[0].id)).numChats, 1);
  });

  process.stdout.write(JSON.stringify({ sdkVersion, available, exercised: [...exercised].sort(), checks }) + "\n");
}

main().catch((error) => {
  process.stdout.write(JSON.stringify({ fatal: String((error && error.stack) || error) }) + "\n");
  process.exitCode = 1;
});
