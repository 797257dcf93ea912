using System.Text.Json;
using Microsoft.AspNetCore.Http;
using System.Text.Json.Serialization;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The one set of rules for JSON that clients send, in every service: a request either means
/// exactly one thing or is refused with the field named. Duplicate properties, unknown
/// properties, numbers written as strings, trailing data, comments and trailing commas are
/// refused, and so is text that a database column cannot hold or a reader cannot display: control
/// characters (U+0000 to U+001F, U+007F to U+009F; PostgreSQL refuses U+0000 outright) and
/// unpaired UTF-16 surrogates (from <c>\uD800</c>-style escapes; invalid UTF-8 bytes the parser
/// refuses itself).
/// </summary>
public static class StrictJson
{
    /// <summary>The largest amount an amount column (numeric(18,2)) holds: larger ones are refused, in requests and in events.</summary>
    public const decimal MaxAmount = 9_999_999_999_999_999.99m;

    /// <summary>The request options: web naming (camelCase, case-insensitive), everything else strict.</summary>
    public static JsonSerializerOptions Options { get; } = Apply(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Makes <paramref name="options"/> strict (for ASP.NET Core's own body binding too).</summary>
    public static JsonSerializerOptions Apply(JsonSerializerOptions options)
    {
        options.NumberHandling = JsonNumberHandling.Strict;
        options.AllowDuplicateProperties = false;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.ReadCommentHandling = JsonCommentHandling.Disallow;
        options.AllowTrailingCommas = false;
        options.Converters.Add(new StorableTextConverter());
        return options;
    }

    /// <summary>
    /// Which field a <see cref="JsonException"/> is about, as the client wrote it
    /// (<c>items[0].quantity</c>), or <c>body</c> for the body as a whole, and what is wrong with it.
    /// </summary>
    public static (string Field, string Message) Describe(JsonException exception)
    {
        var field = FieldOf(exception.Path);
        var message = exception switch
        {
            UnstorableTextException => $"'{field}' contains a control character or invalid Unicode.",
            _ when exception.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) => $"'{field}' appears more than once.",
            _ when exception.Message.Contains("could not be mapped", StringComparison.Ordinal) => $"'{field}' is not a known field.",
            _ when field == "body" => "The request body is not valid JSON.",
            _ => $"The value of '{field}' has the wrong type or format.",
        };
        return (field, message);
    }

    /// <summary>True when <paramref name="text"/> has no control characters and no unpaired surrogates.</summary>
    public static bool IsStorable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsControl(c))
            {
                return false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>$.items[0].quantity</c> → <c>items[0].quantity</c>; the root → <c>body</c>.</summary>
    private static string FieldOf(string? jsonPath) =>
        jsonPath is null or "$" ? "body" : jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath;

    private sealed class UnstorableTextException() : JsonException("The text contains a control character or invalid Unicode.");

    private sealed class StorableTextConverter : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException("Expected a string.");
            }

            var text = reader.GetString()!;
            return IsStorable(text) ? text : throw new UnstorableTextException();
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    /// <summary>
    /// Reads at most <paramref name="maxBytes"/> of JSON. Too large, empty or malformed bodies are
    /// reported by field: the JSON path of a value of the wrong type (<c>items[0].quantity</c>),
    /// or <c>body</c> for the body as a whole.
    /// </summary>
    public static async Task<(TBody? Body, (string Field, string Message)? Error)> ReadBodyAsync<TBody>(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
        where TBody : class
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, ("body", $"The request body must be at most {maxBytes} bytes."));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (null, ("body", $"The request body must be at most {maxBytes} bytes."));
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return (null, ("body", "The request body is required: a JSON object."));
        }

        try
        {
            var parsed = JsonSerializer.Deserialize<TBody>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), Options);
            return parsed is null ? (null, ("body", "The request body must be a JSON object.")) : (parsed, null);
        }
        catch (JsonException exception)
        {
            return (null, Describe(exception));
        }
    }
}
