//! Name equivalence: a small built-in table of English nicknames and their formal forms, and
//! Double Metaphone codes (the `rphonetic` implementation) for spelling variants.

use rphonetic::DoubleMetaphone;

/// (nickname or variant, canonical form). Folded, lower case. Deliberately small: it covers the
/// commonest English diminutives; a longer list adds false blocks faster than true ones.
const NICKNAMES: &[(&str, &str)] = &[
    ("bob", "robert"),
    ("bobby", "robert"),
    ("rob", "robert"),
    ("robbie", "robert"),
    ("bert", "robert"),
    ("kate", "catherine"),
    ("katie", "catherine"),
    ("cathy", "catherine"),
    ("kathy", "catherine"),
    ("cath", "catherine"),
    ("katherine", "catherine"),
    ("kathryn", "catherine"),
    ("kat", "catherine"),
    ("bill", "william"),
    ("billy", "william"),
    ("will", "william"),
    ("willy", "william"),
    ("liam", "william"),
    ("jim", "james"),
    ("jimmy", "james"),
    ("jamie", "james"),
    ("mike", "michael"),
    ("mick", "michael"),
    ("mikey", "michael"),
    ("mickey", "michael"),
    ("dave", "david"),
    ("davy", "david"),
    ("davey", "david"),
    ("tom", "thomas"),
    ("tommy", "thomas"),
    ("dick", "richard"),
    ("rick", "richard"),
    ("ricky", "richard"),
    ("rich", "richard"),
    ("richie", "richard"),
    ("steve", "stephen"),
    ("steven", "stephen"),
    ("stevie", "stephen"),
    ("chris", "christopher"),
    ("kit", "christopher"),
    ("tony", "anthony"),
    ("ant", "anthony"),
    ("andy", "andrew"),
    ("drew", "andrew"),
    ("dan", "daniel"),
    ("danny", "daniel"),
    ("matt", "matthew"),
    ("matty", "matthew"),
    ("joe", "joseph"),
    ("joey", "joseph"),
    ("ed", "edward"),
    ("eddie", "edward"),
    ("ted", "edward"),
    ("ned", "edward"),
    ("harry", "henry"),
    ("hal", "henry"),
    ("jack", "john"),
    ("johnny", "john"),
    ("jon", "jonathan"),
    ("jonny", "jonathan"),
    ("nick", "nicholas"),
    ("nicky", "nicholas"),
    ("pete", "peter"),
    ("sam", "samuel"),
    ("sammy", "samuel"),
    ("ben", "benjamin"),
    ("benny", "benjamin"),
    ("alex", "alexander"),
    ("sandy", "alexander"),
    ("charlie", "charles"),
    ("chas", "charles"),
    ("chuck", "charles"),
    ("fred", "frederick"),
    ("freddie", "frederick"),
    ("freddy", "frederick"),
    ("greg", "gregory"),
    ("jeff", "jeffrey"),
    ("geoff", "geoffrey"),
    ("ken", "kenneth"),
    ("kenny", "kenneth"),
    ("larry", "lawrence"),
    ("laurence", "lawrence"),
    ("len", "leonard"),
    ("lenny", "leonard"),
    ("phil", "philip"),
    ("phillip", "philip"),
    ("ray", "raymond"),
    ("ron", "ronald"),
    ("ronnie", "ronald"),
    ("tim", "timothy"),
    ("timmy", "timothy"),
    ("terry", "terence"),
    ("gerry", "gerald"),
    ("jerry", "gerald"),
    ("stu", "stuart"),
    ("stewart", "stuart"),
    ("liz", "elizabeth"),
    ("lizzie", "elizabeth"),
    ("beth", "elizabeth"),
    ("betty", "elizabeth"),
    ("libby", "elizabeth"),
    ("eliza", "elizabeth"),
    ("elisabeth", "elizabeth"),
    ("maggie", "margaret"),
    ("meg", "margaret"),
    ("peggy", "margaret"),
    ("maisie", "margaret"),
    ("jenny", "jennifer"),
    ("jen", "jennifer"),
    ("sue", "susan"),
    ("susie", "susan"),
    ("suzy", "susan"),
    ("becky", "rebecca"),
    ("becca", "rebecca"),
    ("vicky", "victoria"),
    ("vikki", "victoria"),
    ("tori", "victoria"),
    ("mandy", "amanda"),
    ("pam", "pamela"),
    ("pat", "patricia"),
    ("patty", "patricia"),
    ("trish", "patricia"),
    ("debbie", "deborah"),
    ("debra", "deborah"),
    ("deb", "deborah"),
    ("jackie", "jacqueline"),
    ("sally", "sarah"),
    ("sara", "sarah"),
    ("annie", "ann"),
    ("anne", "ann"),
    ("anna", "ann"),
    ("ellie", "eleanor"),
    ("nell", "eleanor"),
    ("abby", "abigail"),
    ("kim", "kimberley"),
    ("kimberly", "kimberley"),
    ("lexi", "alexandra"),
    ("tina", "christina"),
    ("chrissie", "christine"),
];

/// The formal form of a folded forename (itself when it is not a known nickname).
pub fn canonical(forename: &str) -> &str {
    NICKNAMES.iter().find(|(nick, _)| *nick == forename).map(|(_, formal)| *formal).unwrap_or(forename)
}

/// The primary Double Metaphone code of a folded name part (letters only), or the empty
/// string when nothing encodable remains.
pub fn phonetic(part: &str) -> String {
    let letters: String = part.chars().filter(char::is_ascii_alphabetic).collect();
    if letters.is_empty() {
        return String::new();
    }
    DoubleMetaphone::default().double_metaphone(&letters).primary()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nicknames_resolve_to_the_formal_name() {
        assert_eq!(canonical("bob"), "robert");
        assert_eq!(canonical("kate"), "catherine");
        assert_eq!(canonical("katherine"), "catherine");
        assert_eq!(canonical("zebedee"), "zebedee");
    }

    #[test]
    fn spelling_variants_share_a_phonetic_code() {
        assert_eq!(phonetic("smith"), phonetic("smyth"));
        assert_eq!(phonetic("hartley"), phonetic("hartly"));
        assert_ne!(phonetic("smith"), phonetic("jones"));
        assert_eq!(phonetic("123"), "");
    }
}
