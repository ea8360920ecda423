using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Commands;

internal static class CommandArgs
{
    /// <summary>The command's args as <typeparamref name="T"/>, or null with a response that says what was expected.</summary>
    public static T? Read<T>(DeviceCommand command, JsonTypeInfo<T> type, string example, out CommandResponse? refusal)
        where T : class
    {
        refusal = null;
        try
        {
            if (command.Args is { ValueKind: JsonValueKind.Object } args && args.Deserialize(type) is { } value)
            {
                return value;
            }
        }
        catch (JsonException ex)
        {
            refusal = new CommandResponse(false, "invalid_args", $"{command.Name}: {ex.Message}; expected args like {example}");
            return null;
        }

        refusal = new CommandResponse(false, "invalid_args", $"{command.Name}: args must be an object like {example}");
        return null;
    }
}
