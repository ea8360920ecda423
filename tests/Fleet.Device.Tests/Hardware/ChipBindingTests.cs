using System.Device.I2c;
using Fleet.Device.Configuration;
using Fleet.Device.Hardware;
using Fleet.Device.Simulation;
using Iot.Device.Bh1750fvi;
using Iot.Device.Bmxx80;
using Iot.Device.Sht3x;

namespace Fleet.Device.Tests.Hardware;

/// <summary>Iot.Device's real drivers and our adapters, reading the simulated chips' registers.</summary>
public sealed class ChipBindingTests
{
    private static readonly I2cConnectionSettings Bus1 = new(1, 0x76);

    [Fact]
    public void Bme280_driver_computes_the_datasheet_sample_temperature_and_pressure_from_the_calibration_block()
    {
        // BMP280 datasheet section 3.12: dig_T1..3 = 27504, 26435, -1000 and adc_T = 519888 give 25.08 °C;
        // with dig_P1..9 and adc_P = 415148 the pressure is 100653.27 Pa.
        var chip = new FakeBme280(Bus1, () => ChipFault.None, () => (0, 0)) { RawOverride = (519888, 415148, 30000) };
        using var bme = new Bme280(chip);

        var result = bme.Read();

        Assert.Equal(25.08, result.Temperature!.Value.DegreesCelsius, 2);
        Assert.Equal(100653.27, result.Pressure!.Value.Pascals, 0);
    }

    [Fact]
    public void Bme280_adapter_reads_back_the_air_the_fake_chip_was_given()
    {
        var chip = new FakeBme280(Bus1, () => ChipFault.None, () => (22.3, 61.5));
        using var sensor = new Bme280AirSensor(chip);

        Assert.True(sensor.TryRead(out var celsius, out var humidity));

        Assert.Equal(22.3, celsius, 1);
        Assert.Equal(61.5, humidity, 0);
    }

    [Fact]
    public void Bme280_in_forced_mode_converts_once_per_read()
    {
        var temperature = 20.0;
        var chip = new FakeBme280(Bus1, () => ChipFault.None, () => (temperature, 50));
        using var sensor = new Bme280AirSensor(chip);

        sensor.TryRead(out var first, out _);
        temperature = 27.0;
        sensor.TryRead(out var second, out _);

        Assert.Equal(20.0, first, 1);
        Assert.Equal(27.0, second, 1);
        Assert.Equal(2, chip.Conversions);
    }

    [Fact]
    public void Sht3x_driver_reads_temperature_and_humidity_with_valid_crc()
    {
        var chip = new FakeSht3x(new I2cConnectionSettings(1, 0x44), () => ChipFault.None, () => (24.6, 48.2));
        using var sht = new Sht3x(chip);

        Assert.Equal(24.6, sht.Temperature.DegreesCelsius, 1);
        Assert.Equal(48.2, sht.Humidity.Percent, 1);
    }

    [Fact]
    public void Sht3x_adapter_refuses_a_measurement_whose_crc_does_not_match()
    {
        var chip = new FakeSht3x(new I2cConnectionSettings(1, 0x44), () => ChipFault.None, () => (24.6, 48.2));
        using var sensor = new Sht3xAirSensor(chip);
        Assert.True(sensor.TryRead(out _, out _));

        chip.CorruptNextCrc = true;

        Assert.False(sensor.TryRead(out var celsius, out _));
        Assert.True(double.IsNaN(celsius));
    }

    [Fact]
    public void Sht3x_crc_matches_the_datasheet_example()
    {
        // SHT3x datasheet table 19: CRC of 0xBEEF is 0x92.
        Assert.Equal(0x92, Sht3xAirSensor.Crc8([0xBE, 0xEF]));
    }

    [Fact]
    public void Bh1750_driver_reads_illuminance_in_one_time_high_resolution_mode()
    {
        var chip = new FakeBh1750(new I2cConnectionSettings(1, 0x23), () => ChipFault.None, () => 6000);
        using var meter = new Bh1750fvi(chip, MeasuringMode.OneTimeHighResolutionMode);

        Assert.Equal(6000, meter.Illuminance.Lux, 0);
    }

    [Fact]
    public void Bh1750_adapter_reads_lux()
    {
        using var meter = new Bh1750LightMeter(new FakeBh1750(new I2cConnectionSettings(1, 0x23), () => ChipFault.None, () => 3210));

        Assert.True(meter.TryReadLux(out var lux));
        Assert.Equal(3210, lux, 0);
    }

    [Fact]
    public void Ads1115_adapter_converts_each_channel_on_demand()
    {
        double[] volts = [1.25, 2.5, 0.8, 0];
        var chip = new FakeAds1115(new I2cConnectionSettings(1, 0x48), () => ChipFault.None, ch => volts[ch]);
        using var adc = new Ads1115FrontEnd(chip);

        for (var ch = 0; ch < 3; ch++)
        {
            Assert.True(adc.TryReadVolts(ch, out var v));
            Assert.Equal(volts[ch], v, 3);
        }

        volts[1] = 3.0;
        Assert.True(adc.TryReadVolts(1, out var changed));
        Assert.Equal(3.0, changed, 3);
    }

    [Fact]
    public void Nacking_chip_fails_the_driver_with_an_io_error()
    {
        var chip = new FakeBme280(Bus1, () => ChipFault.Nack, () => (20, 50));

        Assert.Throws<IOException>(() => new Bme280(chip));
    }

    [Fact]
    public void Ds18b20_sysfs_reader_parses_the_kernel_text_and_refuses_a_bad_crc()
    {
        using var dir = new Fleet.Testing.TempDir();
        var tree = new FakeW1Tree(dir.Path, "28-00000a1b2c3d");
        using var thermometer = new SysfsWaterThermometer(dir.Path, "28-00000a1b2c3d");

        tree.Convert(26.5, ChipFault.None);
        Assert.True(thermometer.TryReadCelsius(out var c));
        Assert.Equal(26.5, c, 2);

        tree.Convert(26.5, ChipFault.Nack);
        Assert.False(thermometer.TryReadCelsius(out _));

        tree.Convert(26.5, ChipFault.Disconnected);
        Assert.ThrowsAny<IOException>(() => thermometer.TryReadCelsius(out _));
    }

    [Fact]
    public void Ds18b20_power_on_value_85_is_not_a_reading()
    {
        Assert.False(W1SlaveText.TryParse(W1SlaveText.Format(85.0, crcOk: true), out _));
    }
}
