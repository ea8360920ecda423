namespace Fleet.Hub.Rollouts;

/// <summary>How a group's tag conditions combine: the device has every tag, or at least one.</summary>
public enum TagMatch
{
    All,
    Any,
}
