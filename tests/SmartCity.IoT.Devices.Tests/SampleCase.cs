using Xunit.Abstractions;

namespace SmartCity.IoT.Devices.Tests;

/// <summary>A (profile, sample) pair as serializable theory data, so every sample is its own named test case.</summary>
public sealed class SampleCase : IXunitSerializable
{
    public SampleCase()
    {
    }

    public SampleCase(string profileId, string sampleName)
    {
        ProfileId = profileId;
        SampleName = sampleName;
    }

    public string ProfileId { get; private set; } = "";

    public string SampleName { get; private set; } = "";

    public static TheoryData<SampleCase> All()
    {
        var data = new TheoryData<SampleCase>();
        foreach (var profile in CatalogFixture.Catalog.LoadedProfiles)
        {
            foreach (var sample in profile.Samples)
            {
                data.Add(new SampleCase(profile.Profile.Id, sample.Name));
            }
        }

        return data;
    }

    public void Deserialize(IXunitSerializationInfo info)
    {
        ProfileId = info.GetValue<string>(nameof(ProfileId));
        SampleName = info.GetValue<string>(nameof(SampleName));
    }

    public void Serialize(IXunitSerializationInfo info)
    {
        info.AddValue(nameof(ProfileId), ProfileId);
        info.AddValue(nameof(SampleName), SampleName);
    }

    public override string ToString() => $"{ProfileId}: {SampleName}";
}
