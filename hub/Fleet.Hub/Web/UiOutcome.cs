namespace Fleet.Hub.Web;

/// <summary>The one line a person sees after pressing a button.</summary>
public sealed record UiOutcome(bool Ok, string Message)
{
    public static UiOutcome Done(string message) => new(true, message);

    public static UiOutcome Refused(string message) => new(false, message);
}
