using System.Text.Json;

namespace Fleet.Protocol.Bundles;

/// <summary><c>manifest.sig</c>: a JSON array of <see cref="BundleSignature"/>, parsed strictly.</summary>
internal static class SignatureCodec
{
    public static byte[] Serialize(IEnumerable<BundleSignature> signatures)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartArray();
            foreach (var s in signatures)
            {
                w.WriteStartObject();
                w.WriteString("keyId", s.KeyId);
                w.WriteString("alg", s.Alg);
                w.WriteString("sig", s.Sig);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static VerificationResult TryParse(ReadOnlySpan<byte> utf8, BundleLimits limits, out IReadOnlyList<BundleSignature> signatures)
    {
        signatures = [];
        if (utf8.Length > limits.MaxSignatureBytes)
        {
            return VerificationResult.Fail(VerificationFailure.SignaturesTooLarge, $"manifest.sig is {utf8.Length} bytes; the limit is {limits.MaxSignatureBytes}");
        }

        try
        {
            using var doc = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                return Malformed("manifest.sig must be a JSON array of {keyId, alg, sig}");
            }

            if (doc.RootElement.GetArrayLength() > limits.MaxSignatures)
            {
                return VerificationResult.Fail(VerificationFailure.SignaturesTooLarge, $"manifest.sig has {doc.RootElement.GetArrayLength()} signatures; the limit is {limits.MaxSignatures}");
            }

            var list = new List<BundleSignature>();
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Object)
                {
                    return Malformed("manifest.sig entries must be objects");
                }

                string? keyId = null, alg = null, sig = null;
                foreach (var p in e.EnumerateObject())
                {
                    if (p.Value.ValueKind != JsonValueKind.String)
                    {
                        return Malformed($"manifest.sig field '{p.Name}' must be a string");
                    }

                    ref var slot = ref keyId;
                    switch (p.Name)
                    {
                        case "keyId": slot = ref keyId; break;
                        case "alg": slot = ref alg; break;
                        case "sig": slot = ref sig; break;
                        default: return Malformed($"manifest.sig has an unknown field '{p.Name}'");
                    }

                    if (slot is not null)
                    {
                        return Malformed($"manifest.sig has the field '{p.Name}' twice in one entry");
                    }

                    slot = p.Value.GetString();
                }

                if (keyId is null || alg is null || sig is null)
                {
                    return Malformed("manifest.sig entries need keyId, alg and sig");
                }

                list.Add(new BundleSignature(keyId, alg, sig));
            }

            signatures = list;
            return new VerificationResult(VerificationFailure.None, "signatures parsed") { Signatures = list };
        }
        catch (JsonException ex)
        {
            return Malformed($"manifest.sig is not valid JSON ({ex.Message})");
        }
        catch (InvalidOperationException ex)
        {
            return Malformed($"manifest.sig is not valid JSON ({ex.Message})");
        }
    }

    private static VerificationResult Malformed(string message) =>
        VerificationResult.Fail(VerificationFailure.MalformedSignature, message);
}
