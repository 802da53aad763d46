namespace SmartCity.IoT.Gateway.Status.FloorPlans;

/// <summary>How one zone is drawn: its fill, a state word for tests and styles (<c>critical</c>, <c>none</c>, <c>bin-3</c>, <c>empty</c>), and what its title says.</summary>
internal sealed record ZoneColour(string Fill, string State, string Label);
