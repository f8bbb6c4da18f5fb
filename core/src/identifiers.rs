//! Norwegian identifiers that appear in grants: organisation numbers and person numbers.

const ORG_WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];

/// Whether `value` is a 9-digit organisation number with a valid modulus-11 check digit.
pub fn is_valid_org_number(value: &str) -> bool {
    let digits: Vec<u32> = value.chars().filter_map(|c| c.to_digit(10)).collect();
    if value.len() != 9 || digits.len() != 9 {
        return false;
    }
    let sum: u32 = digits.iter().zip(ORG_WEIGHTS).map(|(d, w)| d * w).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    digits[8] == check
}

/// Whether `value` has the shape of a person identifier (`pid`): 11 digits. Check digits are not
/// enforced, because synthetic test persons and D-numbers must pass.
pub fn is_valid_pid(value: &str) -> bool {
    value.len() == 11 && value.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_numbers() {
        assert!(is_valid_org_number("991825827"));
        assert!(is_valid_org_number("311000004"));
        assert!(!is_valid_org_number("311000005"));
        assert!(!is_valid_org_number("31100000"));
        assert!(!is_valid_org_number("3110000041"));
        assert!(!is_valid_org_number("31100000x"));
        assert!(!is_valid_org_number("٣١١٠٠٠٠٠٤"));
    }

    #[test]
    fn pids() {
        assert!(is_valid_pid("01017012345"));
        assert!(!is_valid_pid("0101701234"));
        assert!(!is_valid_pid("0101701234a"));
    }
}
