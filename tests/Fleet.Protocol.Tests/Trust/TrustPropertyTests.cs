using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;
using Xunit.Abstractions;

namespace Fleet.Protocol.Tests.Trust;

/// <summary>Generated attacks on the trust-document parser and verifier: genuinely signed roots, targets and downgrade
/// permits, mutated (bytes flipped, fields dropped, duplicated, reordered or changed, signatures swapped, truncated,
/// invalid UTF-8, huge numbers, floats, deep nesting) and offered to every public entry point. A document that is
/// accepted must be one of the genuinely signed documents (same content, whatever the formatting); nothing but a
/// <see cref="TrustResult{T}"/> failure may come back. Seeded (<c>FLEET_TRUST_PROPERTY_SEED</c> overrides), so a
/// failure reproduces from the seed and case number in its message.</summary>
public sealed class TrustPropertyTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 20261203;
    private const int CasesPerKind = 3000;
    private static readonly DateTimeOffset Now = TrustSample.Now;
    private static readonly string PermitUuid = "0f0e0d0c-0b0a-4908-8706-050403020100";

    internal enum Kind
    {
        InitialRoot,
        NextRoot,
        Targets,
        Permit,
    }

    [Fact]
    public void Mutated_trust_documents_are_never_accepted_as_forgeries_and_never_throw()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FLEET_TRUST_PROPERTY_SEED"), out var s) ? s : DefaultSeed;
        var corpus = new Corpus();
        var stats = new Stats();
        var failures = new List<string>();
        var master = new Random(seed);
        var caseNumber = 0;
        foreach (var kind in Enum.GetValues<Kind>())
        {
            for (var i = 0; i < CasesPerKind; i++, caseNumber++)
            {
                var caseSeed = master.Next();
                var failure = RunCase(corpus, kind, caseSeed, stats);
                if (failure is not null && failures.Count < 20)
                {
                    failures.Add($"seed {seed}, case {caseNumber} (case seed {caseSeed}, {kind}): {failure}");
                }
            }
        }

        output.WriteLine($"trust property test, seed {seed}: {stats.Cases} cases, {stats.Accepted} accepted (each the same document as a genuinely signed one), "
            + $"{stats.Refused} refused, {stats.Forgeries} forgeries accepted, {stats.Escaped} exceptions escaped");
        output.WriteLine("refusals: " + string.Join(", ", stats.ByFailure.OrderBy(p => p.Key.ToString()).Select(p => $"{p.Key} {p.Value}")));
        output.WriteLine("mutations: " + string.Join(", ", stats.ByMutation.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}")));
        Console.WriteLine($"TrustPropertyTests: seed {seed}, {stats.Cases} cases, {stats.Accepted} accepted as genuine, {stats.Refused} refused, {stats.Forgeries} forgeries, {stats.Escaped} exceptions");

        Assert.True(failures.Count == 0, $"{stats.Forgeries} forgeries, {stats.Escaped} escaped exceptions in {stats.Cases} cases:\n" + string.Join("\n", failures));
        Assert.True(stats.Cases >= 10_000, $"only {stats.Cases} cases ran");

        // The oracle must have had something to judge both ways: reformatted genuine documents pass, and every
        // family of mutation was refused at least once (a generator that produced nothing would pass vacuously).
        Assert.True(stats.Accepted > 100, $"seed {seed}: only {stats.Accepted} mutants were accepted; reformatting alone should pass");
        foreach (var mutation in Mutations.Names)
        {
            Assert.True(stats.RefusedByMutation.GetValueOrDefault(mutation) > 0, $"seed {seed}: mutation '{mutation}' was never refused");
        }
    }

    /// <summary>One case: a genuine document of <paramref name="kind"/>, mutated, offered to each entry point that
    /// reads it. Returns a description of a forgery or escaped exception, or null.</summary>
    private static string? RunCase(Corpus corpus, Kind kind, int caseSeed, Stats stats)
    {
        var random = new Random(caseSeed);
        var genuine = corpus.Genuine(kind);
        var source = genuine[random.Next(genuine.Count)];
        var (bytes, applied) = Mutations.Apply(random, source, corpus);
        stats.Cases++;
        foreach (var m in applied.Distinct())
        {
            stats.ByMutation[m] = stats.ByMutation.GetValueOrDefault(m) + 1;
        }

        var verdicts = new List<(string Entry, TrustFailure Failure)>();
        try
        {
            verdicts.AddRange(Verify(corpus, kind, bytes));
        }
        catch (Exception ex)
        {
            stats.Escaped++;
            return $"{ex.GetType().Name} escaped ({ex.Message}) after [{string.Join(", ", applied)}]: {Preview(bytes)}";
        }

        // SignedEnvelope.Parse is public: it may throw its declared TrustFormatException, and nothing else.
        try
        {
            SignedEnvelope.Parse(bytes, "mutant");
        }
        catch (TrustFormatException)
        {
        }
        catch (Exception ex)
        {
            stats.Escaped++;
            return $"SignedEnvelope.Parse threw {ex.GetType().Name} ({ex.Message}) after [{string.Join(", ", applied)}]: {Preview(bytes)}";
        }

        var accepted = verdicts.Where(v => v.Failure == TrustFailure.None).ToList();
        if (accepted.Count == 0)
        {
            stats.Refused++;
            var first = verdicts[0].Failure;
            stats.ByFailure[first] = stats.ByFailure.GetValueOrDefault(first) + 1;
            foreach (var m in applied.Distinct())
            {
                stats.RefusedByMutation[m] = stats.RefusedByMutation.GetValueOrDefault(m) + 1;
            }

            return null;
        }

        var meaning = Semantic(SignedEnvelope.Parse(bytes, "accepted").Signed);
        if (!corpus.Meanings(kind).Contains(meaning))
        {
            stats.Forgeries++;
            return $"FORGERY accepted by {string.Join(", ", accepted.Select(a => a.Entry))} after [{string.Join(", ", applied)}]: {Preview(bytes)}";
        }

        stats.Accepted++;
        return null;
    }

    /// <summary>Every public entry point that reads a document of this kind, with its verdict.</summary>
    private static IEnumerable<(string, TrustFailure)> Verify(Corpus c, Kind kind, byte[] bytes)
    {
        switch (kind)
        {
            case Kind.InitialRoot:
                yield return ("VerifyInitialRoot", TrustVerifier.VerifyInitialRoot(bytes).Failure);
                yield return ("Load(root)", TrustedMetadata.Load(bytes, c.TargetsV1).Failure);
                break;
            case Kind.NextRoot:
                yield return ("VerifyRoot", TrustVerifier.VerifyRoot(bytes, c.Trust.Root).Failure);
                yield return ("Update(roots)", c.Trust.Update([c.RootV1, bytes], c.TargetsForRootV2, Now).Failure);
                break;
            case Kind.Targets:
                yield return ("VerifyTargets", TrustVerifier.VerifyTargets(bytes, c.Trust.Root, c.Trust.Targets, Now).Failure);
                yield return ("Update(targets)", c.Trust.Update([], bytes, Now).Failure);
                var loaded = TrustedMetadata.Load(c.RootV1, bytes);
                yield return ("Load(targets)", loaded.Failure);
                if (loaded.IsValid)
                {
                    // What a device and `fleet trust` do next with loaded targets: authorize, and read the scopes back.
                    loaded.Value!.Authorize([c.Sample.Dev.KeyId], c.Sample.Device(group: "test"), Now);
                    try
                    {
                        TrustDocuments.Delegations(loaded.Value.Targets);
                    }
                    catch (TrustFormatException)
                    {
                    }
                }

                break;
            case Kind.Permit:
                yield return ("DowngradePermits.Verify", DowngradePermits.Verify(bytes, c.Trust, c.Sample.Device(group: "test"), PermitUuid, "1.3.0", Now).Failure);
                break;
        }
    }

    /// <summary>What a document means: its tree with every string spelled out as UTF-16 code units (so two strings
    /// that encode to the same bytes but differ, such as a lone surrogate and U+FFFD, differ here), keys sorted,
    /// numbers as written.</summary>
    internal static string Semantic(JsonNode? node)
    {
        var text = new StringBuilder();
        Write(node);
        return text.ToString();

        void Write(JsonNode? n)
        {
            switch (n)
            {
                case null:
                    text.Append("null");
                    break;
                case JsonObject o:
                    text.Append('{');
                    foreach (var (k, v) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                    {
                        Units(k);
                        text.Append(':');
                        Write(v);
                        text.Append(',');
                    }

                    text.Append('}');
                    break;
                case JsonArray a:
                    text.Append('[');
                    foreach (var v in a)
                    {
                        Write(v);
                        text.Append(',');
                    }

                    text.Append(']');
                    break;
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    Units(v.GetValue<string>());
                    break;
                default:
                    text.Append(n.ToJsonString());
                    break;
            }
        }

        void Units(string s)
        {
            text.Append('"');
            foreach (var ch in s)
            {
                text.Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
            }

            text.Append('"');
        }
    }

    private static string Preview(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        return text.Length > 600 ? text[..600] + "…" : text;
    }

    private sealed class Stats
    {
        public int Cases;
        public int Accepted;
        public int Refused;
        public int Forgeries;
        public int Escaped;
        public readonly Dictionary<TrustFailure, int> ByFailure = [];
        public readonly Dictionary<string, int> ByMutation = [];
        public readonly Dictionary<string, int> RefusedByMutation = [];
    }

    /// <summary>The genuinely signed documents, and the state each kind is verified against.</summary>
    internal sealed class Corpus
    {
        private readonly Dictionary<Kind, List<Genuine>> _genuine = [];
        private readonly Dictionary<Kind, HashSet<string>> _meanings = [];

        public Corpus()
        {
            var s = Sample;
            var second = TrustSample.Key(8);
            var next = TrustSample.Key(9);
            RootV1 = s.Root();
            var targetsV1 = TrustSample.Scope("group:test", s.Dev);
            TargetsV1 = s.Targets(1, targetsV1);
            Trust = TrustedMetadata.Load(RootV1, TargetsV1).Value ?? throw new InvalidOperationException("sample metadata does not load");
            TargetsForRootV2 = s.Targets(2, targetsV1);

            Add(Kind.InitialRoot, RootV1);
            Add(Kind.InitialRoot, SignedEnvelope.Sign(
                TrustDocuments.Root(s.Product, 1, Now.AddYears(1), new RoleSpec([s.RootKey.PublicKey, second.PublicKey], 2), new RoleSpec([s.RootKey.PublicKey], 1),
                    new RoleSpec([s.OnlineKey.PublicKey], 1), new RoleSpec([s.OnlineKey.PublicKey], 1)),
                [s.RootKey, second]));

            // Strings beyond ASCII, signed for real: U+FFFD (what a lone surrogate becomes if it is encoded leniently),
            // an accented letter, a character outside the BMP, and an unknown field TUF keeps.
            var unicode = TrustDocuments.Root("tank-\uFFFD-é-\U0001F331", 1, Now.AddYears(1), new RoleSpec([s.RootKey.PublicKey], 1), new RoleSpec([s.RootKey.PublicKey], 1),
                new RoleSpec([s.OnlineKey.PublicKey], 1), new RoleSpec([s.OnlineKey.PublicKey], 1));
            unicode["x-fleet-note"] = "a \"quoted\" \\ note\n";
            Add(Kind.InitialRoot, SignedEnvelope.Sign(unicode, [s.RootKey]));

            Add(Kind.NextRoot, s.Root(2, next, signers: [s.RootKey, next]));
            Add(Kind.NextRoot, s.Root(2, s.RootKey, expires: Now.AddYears(2)));

            Add(Kind.Targets, s.Targets(2, TrustSample.Scope("group:test", s.Dev), TrustSample.Scope("tag:field", s.Release), TrustSample.Scope("device:tank-0001", s.Dev, s.Release)));
            Add(Kind.Targets, s.Targets(3, new DelegationSpec(TrustScope.AnyDevice, [s.Dev.PublicKey, s.Release.PublicKey], 2)));
            Add(Kind.Targets, TargetsV1);
            var odd = TrustDocuments.Targets(4, Now.AddDays(30), [TrustSample.Scope("group:test", s.Dev)]);
            odd["delegations"]!["roles"]![0]!["paths"]!.AsArray().Add("groups/t\uFFFDst/*");
            odd["targets"]!["x-fleet-firmware/\U0001F331.fwb"] = new JsonObject { ["length"] = 1, ["hashes"] = new JsonObject { ["sha256"] = new string('a', 64) } };
            Add(Kind.Targets, SignedEnvelope.Sign(odd, [s.RootKey]));

            Add(Kind.Permit, SignedEnvelope.Sign(new DowngradePermit(s.Product, PermitUuid, "1.2.0", ["1.3.0"], Now.AddDays(7)).ToSigned(), [s.Dev]));
            Add(Kind.Permit, SignedEnvelope.Sign(new DowngradePermit(s.Product, PermitUuid, "1.2.0", ["1.3.0", "1.3.1", "1.3.0+\uFFFD"], Now.AddDays(1)).ToSigned(), [s.Dev]));

            foreach (var (kind, list) in _genuine)
            {
                foreach (var g in list)
                {
                    if (Verify(this, kind, g.Bytes).All(v => v.Item2 != TrustFailure.None))
                    {
                        throw new InvalidOperationException($"the genuine {kind} document does not verify: {Encoding.UTF8.GetString(g.Bytes)}");
                    }
                }
            }
        }

        public TrustSample Sample { get; } = new();

        public byte[] RootV1 { get; }

        public byte[] TargetsV1 { get; }

        public byte[] TargetsForRootV2 { get; }

        public TrustedMetadata Trust { get; }

        /// <summary>Keys no role trusts, for re-signing a mutant (a forger's own key).</summary>
        public SigningKey Forger { get; } = TrustSample.Key(66);

        public IReadOnlyList<Genuine> All => [.. _genuine.Values.SelectMany(g => g)];

        public IReadOnlyList<Genuine> Genuine(Kind kind) => _genuine[kind];

        public HashSet<string> Meanings(Kind kind) => _meanings[kind];

        private void Add(Kind kind, byte[] bytes)
        {
            var tree = JsonNode.Parse(bytes)!.AsObject();
            (_genuine.TryGetValue(kind, out var list) ? list : _genuine[kind] = []).Add(new Genuine(bytes, tree));
            (_meanings.TryGetValue(kind, out var set) ? set : _meanings[kind] = []).Add(Semantic(tree["signed"]));
        }
    }

    internal sealed record Genuine(byte[] Bytes, JsonObject Tree);

    /// <summary>The attacks. Tree mutations edit a copy of the envelope, the renderer writes it with random
    /// formatting (and can repeat a field), byte mutations then damage the bytes.</summary>
    internal static class Mutations
    {
        public static readonly string[] Names =
        [
            "drop-field", "reorder-fields", "version", "expires", "keyid", "threshold", "scope-or-path", "type", "string", "swap-signatures",
            "forger-signs", "value-type", "unknown-field", "deep-nesting", "huge-number", "float", "duplicate-field", "flip-bits", "truncate",
            "splice-bytes", "invalid-utf8", "lone-surrogate", "framing",
        ];

        private static readonly string[] TreeMutations =
        [
            "drop-field", "reorder-fields", "version", "expires", "keyid", "threshold", "scope-or-path", "type", "string", "swap-signatures",
            "forger-signs", "value-type", "unknown-field", "deep-nesting", "huge-number", "float", "lone-surrogate",
        ];

        private static readonly string[] ByteMutations = ["flip-bits", "truncate", "splice-bytes", "invalid-utf8", "framing"];

        public static (byte[] Bytes, List<string> Applied) Apply(Random r, Genuine source, Corpus corpus)
        {
            var tree = source.Tree.DeepClone().AsObject();
            var applied = new List<string>();
            var raw = new Dictionary<string, string>(StringComparer.Ordinal);
            var treeCount = r.Next(4) switch { 0 => 0, 1 or 2 => 1, _ => 2 };
            for (var i = 0; i < treeCount; i++)
            {
                var name = TreeMutations[r.Next(TreeMutations.Length)];
                applied.Add(name);
                MutateTree(r, name, tree, corpus, raw);
            }

            var duplicate = r.Next(8) == 0;
            if (duplicate)
            {
                applied.Add("duplicate-field");
            }

            var bytes = Render(r, tree, raw, duplicate);
            var byteCount = treeCount == 0 && !duplicate ? r.Next(2) : (r.Next(4) == 0 ? 1 : 0);
            for (var i = 0; i < byteCount; i++)
            {
                var name = ByteMutations[r.Next(ByteMutations.Length)];
                applied.Add(name);
                bytes = MutateBytes(r, name, bytes);
            }

            if (applied.Count == 0)
            {
                applied.Add("reformat");
            }

            return (bytes, applied);
        }

        private static void MutateTree(Random r, string name, JsonObject envelope, Corpus corpus, Dictionary<string, string> raw)
        {
            var signed = envelope["signed"] as JsonObject;
            switch (name)
            {
                case "drop-field":
                {
                    var o = Pick(r, Objects(envelope).Where(o => o.Count > 0).ToList());
                    if (o is not null)
                    {
                        o.Remove(o.ElementAt(r.Next(o.Count)).Key);
                    }

                    break;
                }

                case "reorder-fields":
                    foreach (var o in Objects(envelope).ToList())
                    {
                        var items = o.Select(p => (p.Key, Value: p.Value)).OrderBy(_ => r.Next()).ToList();
                        o.Clear();
                        foreach (var (k, v) in items)
                        {
                            o[k] = v;
                        }
                    }

                    break;
                case "version":
                    SetNumber(r, Pick(r, Objects(envelope).Where(o => o.ContainsKey("version")).ToList()), "version",
                        [0, -1, 1, 2, 3, int.MaxValue, (long)int.MaxValue + 1, long.MaxValue, long.MinValue, (signed?["version"] as JsonValue)?.TryGetValue<long>(out var current) == true ? current + 1 : 7]);
                    break;
                case "expires":
                    if (signed is not null)
                    {
                        string[] forms =
                        [
                            Stamp(Now.AddSeconds(1)), Stamp(Now.AddSeconds(-1)), Stamp(Now.AddYears(100)), Stamp(Now.AddDays(-400)),
                            "2027-12-01T12:00:00+00:00", "2027-12-01 12:00:00Z", "2027-12-01T12:00:00.000Z", "2027-12-01T12:00:00z", "9999-12-31T23:59:59Z",
                            "0001-01-01T00:00:00Z", "2027-02-30T12:00:00Z", "", "2027-12-01T24:00:00Z", "\u0662\u0660\u0662\u0667-12-01T12:00:00Z",
                        ];
                        signed["expires"] = forms[r.Next(forms.Length)];
                    }

                    break;
                case "keyid":
                    MutateKeyId(r, envelope);
                    break;
                case "threshold":
                    SetNumber(r, Pick(r, Objects(envelope).Where(o => o.ContainsKey("threshold")).ToList()), "threshold", [0, -1, 1, 2, 3, 256, 257, int.MaxValue, long.MaxValue]);
                    break;
                case "scope-or-path":
                    MutateScope(r, signed);
                    break;
                case "type":
                    if (signed is not null)
                    {
                        string[] types = ["root", "targets", "snapshot", "timestamp", "fleet-downgrade-permit", "Root", "root ", "", "mirrors"];
                        signed["_type"] = types[r.Next(types.Length)];
                    }

                    break;
                case "string":
                {
                    var (o, key) = PickString(r, envelope);
                    if (o is not null)
                    {
                        var text = o[key]!.GetValue<string>();
                        string[] edits =
                        [
                            text + "x", text.ToUpperInvariant(), text.Length > 0 ? text[..^1] : "x", "\0" + text, text + "\n", text.Replace('-', '_'),
                            new string('a', r.Next(60, 300)), text.Replace("\uFFFD", "?"), "é".Normalize(NormalizationForm.FormD) + text,
                        ];
                        o[key] = edits[r.Next(edits.Length)];
                    }

                    break;
                }

                case "lone-surrogate":
                {
                    // A string holding a lone surrogate, written as a JSON escape: it is not UTF-8 text, and a lenient
                    // encoder turns it into U+FFFD, so it would canonicalize like a genuine string that has U+FFFD.
                    var (o, key) = PickString(r, envelope);
                    if (o is not null)
                    {
                        var marker = $"@@raw{raw.Count}@@";
                        var text = o[key]!.GetValue<string>();
                        var surrogate = r.Next(3) switch { 0 => "\\ud800", 1 => "\\udfff", _ => "\\udc00\\ud800" };
                        var spelled = text.Contains('\uFFFD') ? Escape(text).Replace("\uFFFD", surrogate) : Escape(text) + surrogate;
                        raw[marker] = "\"" + spelled + "\"";
                        o[key] = marker;
                    }

                    break;
                }

                case "swap-signatures":
                {
                    var other = corpus.All[r.Next(corpus.All.Count)].Tree;
                    var mine = envelope["signatures"] as JsonArray;
                    var theirs = other["signatures"]!.AsArray();
                    switch (r.Next(5))
                    {
                        case 0:
                            envelope["signatures"] = theirs.DeepClone();
                            break;
                        case 1 when mine is not null:
                            foreach (var sig in theirs)
                            {
                                mine.Add(sig!.DeepClone());
                            }

                            break;
                        case 2:
                            envelope["signatures"] = new JsonArray();
                            break;
                        case 3 when mine is not null && mine.Count > 0:
                            for (var i = 0; i < 64; i++)
                            {
                                mine.Add(mine[0]!.DeepClone());
                            }

                            break;
                        default:
                            // The other document's signature under this document's key ids.
                            if (mine is not null && mine.Count > 0 && theirs.Count > 0)
                            {
                                mine[0]!["sig"] = theirs[r.Next(theirs.Count)]!["sig"]!.DeepClone();
                            }

                            break;
                    }

                    break;
                }

                case "forger-signs":
                    if (signed is not null)
                    {
                        // A forger edits the content and signs it with a key of their own, claiming a trusted key id.
                        signed["expires"] = Stamp(Now.AddYears(50));
                        byte[] canonical;
                        try
                        {
                            canonical = CanonicalJson.Encode(signed);
                        }
                        catch (TrustFormatException)
                        {
                            break;
                        }

                        var sig = Convert.ToHexStringLower(corpus.Forger.Sign(canonical));
                        var claimed = envelope["signatures"] is JsonArray { Count: > 0 } list && list[0]?["keyid"] is JsonValue id ? id.DeepClone() : (JsonNode)TufKey.From(corpus.Forger.PublicKey).KeyId;
                        envelope["signatures"] = new JsonArray(new JsonObject { ["keyid"] = r.Next(2) == 0 ? claimed : (JsonNode)TufKey.From(corpus.Forger.PublicKey).KeyId, ["sig"] = sig });
                    }

                    break;
                case "value-type":
                {
                    var o = Pick(r, Objects(envelope).Where(o => o.Count > 0).ToList());
                    if (o is not null)
                    {
                        JsonNode?[] values = [null, true, false, 0, 1, -1, "", "1", new JsonArray(), new JsonObject(), new JsonArray(1, 2), new JsonObject { ["a"] = 1 }];
                        o[o.ElementAt(r.Next(o.Count)).Key] = values[r.Next(values.Length)]?.DeepClone();
                    }

                    break;
                }

                case "unknown-field":
                {
                    var o = r.Next(3) == 0 ? envelope : Pick(r, Objects(envelope).ToList());
                    if (o is not null)
                    {
                        o["x-unknown-" + r.Next(100)] = r.Next(2) == 0 ? "value" : new JsonObject { ["n"] = 1 };
                    }

                    break;
                }

                case "deep-nesting":
                {
                    var o = Pick(r, Objects(envelope).Where(o => o.Count > 0).ToList());
                    if (o is not null)
                    {
                        int[] depths = [2, 16, 30, 31, 32, 33, 64, 1000, 100_000];
                        var depth = depths[r.Next(depths.Length)];
                        var marker = $"@@raw{raw.Count}@@";
                        var open = r.Next(2) == 0 ? "[" : "{\"a\":";
                        var close = open == "[" ? "]" : "}";
                        raw[marker] = string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
                        o[o.ElementAt(r.Next(o.Count)).Key] = marker;
                    }

                    break;
                }

                case "huge-number":
                case "float":
                {
                    var targets = Objects(envelope).SelectMany(o => o.Where(p => p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.Number).Select(p => (o, p.Key))).ToList();
                    if (targets.Count > 0)
                    {
                        var (o, key) = targets[r.Next(targets.Count)];
                        string[] forms = name == "huge-number"
                            ? ["9223372036854775808", "-9223372036854775809", "18446744073709551616", "1" + new string('0', r.Next(20, 400)), "1e400", "-1e400", "4294967297", "2147483648"]
                            : [o[key]!.ToJsonString() + ".0", "1.0", "1.5", "1e0", "1E2", "0.1e1", "-0", "-0.0", "2.0000000000000001", "1e-7"];
                        var marker = $"@@raw{raw.Count}@@";
                        raw[marker] = forms[r.Next(forms.Length)];
                        o[key] = marker;
                    }

                    break;
                }
            }
        }

        private static void MutateKeyId(Random r, JsonObject envelope)
        {
            var signed = envelope["signed"] as JsonObject;
            var keysObjects = Objects(envelope).Where(o => o.Count > 0 && o.All(p => p.Key.Length == 64 && p.Value is JsonObject k && k.ContainsKey("keyval"))).ToList();
            var keyidLists = Objects(envelope).Where(o => o["keyids"] is JsonArray).Select(o => o["keyids"]!.AsArray()).ToList();
            var allIds = keysObjects.SelectMany(o => o.Select(p => p.Key)).Distinct().ToList();
            var otherId = allIds.Count > 0 ? allIds[r.Next(allIds.Count)] : new string('0', 64);
            switch (r.Next(6))
            {
                case 0 when keysObjects.Count > 0:
                {
                    // List a key under another key's id (or a made-up one).
                    var o = keysObjects[r.Next(keysObjects.Count)];
                    var (id, key) = o.ElementAt(r.Next(o.Count));
                    o.Remove(id);
                    o[r.Next(2) == 0 ? otherId : new string('f', 64)] = key;
                    break;
                }

                case 1 when keyidLists.Count > 0:
                {
                    var list = keyidLists[r.Next(keyidLists.Count)];
                    if (list.Count > 0)
                    {
                        list[r.Next(list.Count)] = r.Next(2) == 0 ? otherId : list[0]!.GetValue<string>().ToUpperInvariant();
                    }

                    break;
                }

                case 2 when keyidLists.Count > 0:
                {
                    var list = keyidLists[r.Next(keyidLists.Count)];
                    list.Add(list.Count > 0 ? list[0]!.DeepClone() : otherId);
                    break;
                }

                case 3 when keysObjects.Count > 0:
                {
                    // Replace a key's public value (the id no longer matches).
                    var o = keysObjects[r.Next(keysObjects.Count)];
                    var key = o.ElementAt(r.Next(o.Count)).Value!;
                    key["keyval"]!["public"] = Convert.ToHexStringLower(TrustSample.Key((byte)r.Next(100, 200)).PublicKey.Raw.Span);
                    break;
                }

                case 4 when keysObjects.Count > 0:
                {
                    var o = keysObjects[r.Next(keysObjects.Count)];
                    var key = o.ElementAt(r.Next(o.Count)).Value!;
                    string[] types = ["rsa", "ecdsa", "ED25519", "ed25519-sha512"];
                    key[r.Next(2) == 0 ? "keytype" : "scheme"] = types[r.Next(types.Length)];
                    break;
                }

                default:
                    if (envelope["signatures"] is JsonArray { Count: > 0 } sigs && sigs[0] is JsonObject sig)
                    {
                        sig["keyid"] = r.Next(2) == 0 ? otherId : sig["keyid"]!.GetValue<string>().ToUpperInvariant();
                    }
                    else if (signed is not null)
                    {
                        signed["keys"] = new JsonObject();
                    }

                    break;
            }
        }

        private static void MutateScope(Random r, JsonObject? signed)
        {
            if (signed is null)
            {
                return;
            }

            if (signed["delegations"]?["roles"] is JsonArray { Count: > 0 } roles && roles[r.Next(roles.Count)] is JsonObject role)
            {
                switch (r.Next(6))
                {
                    case 0:
                        role["name"] = new[] { "any", "group-production", "tag-field", "device-tank-0002", "../targets", "group-test\n", "" }[r.Next(7)];
                        break;
                    case 1:
                        role["paths"] = new JsonArray(new[] { "*/*/*", "groups/*/*", "*", "**", "", "devices/tank-0001/*", "groups/test/*/*" }[r.Next(7)]);
                        break;
                    case 2:
                        role["paths"]!.AsArray().Add("*/*/*");
                        break;
                    case 3:
                        role["terminating"] = !(role["terminating"]?.GetValue<bool>() ?? false);
                        break;
                    case 4:
                        role["path_hash_prefixes"] = new JsonArray("00");
                        break;
                    default:
                        roles.Add(role.DeepClone());
                        break;
                }

                return;
            }

            // A permit or a root: retarget what it names.
            string[] fields = ["product", "replaces", "target", "x-fleet-product", "consistent_snapshot", "spec_version"];
            var field = fields[r.Next(fields.Length)];
            switch (field)
            {
                case "replaces" when signed["replaces"] is JsonArray list:
                    list.Add("9.9.9");
                    break;
                case "target" when signed["target"] is JsonObject target:
                    target[r.Next(2) == 0 ? "version" : "uuid"] = "1.1.0";
                    break;
                case "consistent_snapshot":
                    signed[field] = !(signed[field] is JsonValue b && b.GetValueKind() == JsonValueKind.True);
                    break;
                default:
                    if (signed.ContainsKey(field))
                    {
                        signed[field] = "hydro-tank";
                    }

                    break;
            }
        }

        private static void SetNumber(Random r, JsonObject? o, string name, long[] values)
        {
            if (o is not null)
            {
                o[name] = values[r.Next(values.Length)];
            }
        }

        private static (JsonObject? Owner, string Key) PickString(Random r, JsonObject envelope)
        {
            var strings = Objects(envelope).SelectMany(o => o.Where(p => p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String && !p.Value.GetValue<string>().StartsWith("@@raw", StringComparison.Ordinal)).Select(p => (o, p.Key))).ToList();

            // Prefer strings holding U+FFFD half the time: they are where lenient encoding would collide.
            var fffd = strings.Where(p => p.o[p.Key]!.GetValue<string>().Contains('\uFFFD')).ToList();
            var pool = fffd.Count > 0 && r.Next(2) == 0 ? fffd : strings;
            return pool.Count == 0 ? (null, string.Empty) : pool[r.Next(pool.Count)];
        }

        private static T? Pick<T>(Random r, List<T> items)
            where T : class => items.Count == 0 ? null : items[r.Next(items.Count)];

        private static IEnumerable<JsonObject> Objects(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    yield return o;
                    foreach (var (_, v) in o)
                    {
                        foreach (var inner in Objects(v))
                        {
                            yield return inner;
                        }
                    }

                    break;
                case JsonArray a:
                    foreach (var v in a)
                    {
                        foreach (var inner in Objects(v))
                        {
                            yield return inner;
                        }
                    }

                    break;
            }
        }

        private static string Stamp(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        /// <summary>JSON with random formatting: whitespace, \u escapes for some characters, and optionally one field
        /// written twice (first with another value). Raw markers are replaced by their text.</summary>
        private static byte[] Render(Random r, JsonObject envelope, Dictionary<string, string> raw, bool duplicate)
        {
            var text = new StringBuilder();
            var whitespace = r.Next(3);
            var escapes = r.Next(3) == 0;
            var objects = Objects(envelope).Where(o => o.Count > 0).ToList();
            var duplicateIn = duplicate && objects.Count > 0 ? objects[r.Next(objects.Count)] : null;
            Write(envelope);
            var result = text.ToString();
            foreach (var (marker, value) in raw)
            {
                result = result.Replace("\"" + marker + "\"", value, StringComparison.Ordinal);
            }

            return Encoding.UTF8.GetBytes(result);

            void Space()
            {
                if (whitespace == 1 || (whitespace == 2 && r.Next(4) == 0))
                {
                    text.Append(new[] { " ", "\n", "\t", "\r\n  " }[r.Next(4)]);
                }
            }

            void Write(JsonNode? node)
            {
                Space();
                switch (node)
                {
                    case null:
                        text.Append("null");
                        break;
                    case JsonObject o:
                        text.Append('{');
                        var first = true;
                        if (ReferenceEquals(o, duplicateIn))
                        {
                            var (k, v) = o.ElementAt(r.Next(o.Count));
                            String(k);
                            text.Append(':');
                            Write(r.Next(2) == 0 ? v?.DeepClone() : JsonValue.Create("other"));
                            first = false;
                        }

                        foreach (var (k, v) in o)
                        {
                            if (!first)
                            {
                                text.Append(',');
                            }

                            first = false;
                            Space();
                            String(k);
                            Space();
                            text.Append(':');
                            Write(v);
                        }

                        Space();
                        text.Append('}');
                        break;
                    case JsonArray a:
                        text.Append('[');
                        for (var i = 0; i < a.Count; i++)
                        {
                            if (i > 0)
                            {
                                text.Append(',');
                            }

                            Write(a[i]);
                        }

                        Space();
                        text.Append(']');
                        break;
                    case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                        String(v.GetValue<string>());
                        break;
                    default:
                        text.Append(node.ToJsonString());
                        break;
                }

                Space();
            }

            void String(string s)
            {
                if (s.StartsWith("@@raw", StringComparison.Ordinal))
                {
                    text.Append('"').Append(s).Append('"');
                    return;
                }

                text.Append('"');
                foreach (var c in s)
                {
                    if (c is '"' or '\\' || c < 0x20 || (escapes && !char.IsSurrogate(c) && r.Next(8) == 0))
                    {
                        text.Append("\\u").Append(((int)c).ToString(r.Next(2) == 0 ? "x4" : "X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }
                }

                text.Append('"');
            }
        }

        private static string Escape(string s)
        {
            var text = new StringBuilder();
            foreach (var c in s)
            {
                if (c is '"' or '\\' || c < 0x20)
                {
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                }
                else
                {
                    text.Append(c);
                }
            }

            return text.ToString();
        }

        private static byte[] MutateBytes(Random r, string name, byte[] bytes)
        {
            var list = bytes.ToList();
            switch (name)
            {
                case "flip-bits":
                    for (var i = r.Next(1, 4); i > 0 && list.Count > 0; i--)
                    {
                        var at = r.Next(list.Count);
                        list[at] ^= (byte)(1 << r.Next(8));
                    }

                    break;
                case "truncate":
                    list = list.Take(r.Next(list.Count)).ToList();
                    break;
                case "splice-bytes":
                    if (list.Count > 2)
                    {
                        var start = r.Next(list.Count - 1);
                        var length = r.Next(1, Math.Min(64, list.Count - start));
                        var range = list.GetRange(start, length);
                        switch (r.Next(3))
                        {
                            case 0:
                                list.RemoveRange(start, length);
                                break;
                            case 1:
                                list.InsertRange(r.Next(list.Count), range);
                                break;
                            default:
                                var junk = new byte[r.Next(1, 16)];
                                r.NextBytes(junk);
                                list.InsertRange(r.Next(list.Count), junk);
                                break;
                        }
                    }

                    break;
                case "invalid-utf8":
                {
                    byte[][] sequences = [[0xFF], [0xC0, 0x80], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xEF, 0xBF, 0xBD]];
                    var seq = sequences[r.Next(sequences.Length)];

                    // Mostly inside a string value, where a lenient decoder would turn it into U+FFFD.
                    var quotes = list.Select((b, i) => (b, i)).Where(p => p.b == (byte)'"').Select(p => p.i).ToList();
                    var at = quotes.Count > 0 && r.Next(4) != 0 ? quotes[r.Next(quotes.Count)] + 1 : r.Next(list.Count + 1);
                    if (r.Next(2) == 0)
                    {
                        list.InsertRange(Math.Min(at, list.Count), seq);
                    }
                    else
                    {
                        var fffd = IndexOf(list, [0xEF, 0xBF, 0xBD]);
                        if (fffd >= 0)
                        {
                            list.RemoveRange(fffd, 3);
                            list.InsertRange(fffd, seq);
                        }
                        else
                        {
                            list.InsertRange(Math.Min(at, list.Count), seq);
                        }
                    }

                    break;
                }

                case "framing":
                    switch (r.Next(8))
                    {
                        case 0:
                            list.InsertRange(0, [0xEF, 0xBB, 0xBF]);
                            break;
                        case 1:
                            list.AddRange("garbage"u8.ToArray());
                            break;
                        case 2:
                            list.AddRange("{}"u8.ToArray());
                            break;
                        case 3:
                            list = [];
                            break;
                        case 4:
                            list = [.. "null"u8.ToArray()];
                            break;
                        case 5:
                            list = [.. Encoding.UTF8.GetBytes("[" + Encoding.UTF8.GetString(bytes) + "]")];
                            break;
                        case 6:
                            list.InsertRange(list.Count > 1 ? list.Count - 1 : 0, ", "u8.ToArray());
                            break;
                        default:
                            list.InsertRange(list.Count > 1 ? 1 : 0, "/* c */"u8.ToArray());
                            break;
                    }

                    break;
            }

            return [.. list];
        }

        private static int IndexOf(List<byte> list, byte[] seq)
        {
            for (var i = 0; i + seq.Length <= list.Count; i++)
            {
                if (list.Skip(i).Take(seq.Length).SequenceEqual(seq))
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
