//! Seeded communities. `demo`: a small realistic community (4 towers, 200 units, 60 contractors in
//! every state, 400 permits in every status, some expiring within hours). `count(N)`: N permits
//! and N/10 contractors with the same mix. Deterministic for a given seed number: the same
//! names, ids, codes and statuses, with validity windows placed around the moment of start.
//! The hostile preset adds names built to break a UI (markup, bidi overrides, very long text).

use chrono::Duration;
use gatehouse_buzzin::inf;
use gatehouse_buzzin::{
    Company, Contractor, ContractorIntegrations, DamacContractor, DamacPermit, Employee, Permit,
    PermitIntegrations, PermitType, StatusName, StoredDocument, StoredNoc, Timestamp,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::world::{DEFAULT_COMMUNITY_ID, Flat, Property, World};

/// What to put in a new sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seed {
    /// Nothing but the community's towers and units.
    Empty,
    /// The demo community.
    Demo,
    /// N permits, N/10 contractors.
    Count(u64),
}

impl std::str::FromStr for Seed {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "demo" => Ok(Seed::Demo),
            "empty" => Ok(Seed::Empty),
            n => n.parse::<u64>().map(Seed::Count).map_err(|_| {
                format!("--seed takes `demo`, `empty` or a number of permits, not \"{s}\"")
            }),
        }
    }
}

const FIRST_EN: &[&str] = &[
    "Ahmed", "Omar", "Ravi", "Joseph", "Imran", "Sanjay", "Michael", "Bilal", "Faisal", "Arjun",
    "Kareem", "Daniel", "Yousef", "Tariq", "Samuel", "Vikram", "Hassan", "Rashid", "Peter",
    "Naveen",
];
const LAST_EN: &[&str] = &[
    "Khan",
    "Nair",
    "Fernandes",
    "Rahman",
    "Hussain",
    "Pillai",
    "Thomas",
    "Qureshi",
    "Menon",
    "Siddiqui",
    "Mathew",
    "Iqbal",
    "DSouza",
    "Sharma",
    "Malik",
];
const FIRST_AR: &[&str] = &[
    "محمد",
    "أحمد",
    "خالد",
    "سعيد",
    "عبدالله",
    "يوسف",
    "راشد",
    "حمدان",
    "سالم",
    "ماجد",
];
const LAST_AR: &[&str] = &[
    "المنصوري",
    "الكعبي",
    "الشامسي",
    "النعيمي",
    "الظاهري",
    "المهيري",
    "السويدي",
    "الهاشمي",
];
const COMPANY_EN: &[&str] = &[
    "Al Noor Contracting",
    "Gulf Fitout",
    "Emirates Interiors",
    "Desert Rose Technical Services",
    "Marina Build",
    "Falcon MEP",
    "Pearl Joinery",
    "Creek Electromechanical",
    "Oasis Painting",
    "Skyline Glass & Aluminium",
    "Palm Plumbing",
    "Sahara Flooring",
];
const COMPANY_AR: &[&str] = &[
    "شركة النور للمقاولات",
    "مؤسسة الخليج للديكور",
    "الإمارات للصيانة العامة",
    "شركة الواحة للتكييف",
];
const JOBS: &[&str] = &[
    "Full interior fit-out.",
    "Kitchen replacement.",
    "AC duct cleaning and servicing.",
    "Bathroom waterproofing and tiling.",
    "Partition walls and false ceiling.",
    "Electrical rewiring of the living area.",
    "Balcony glass installation.",
    "Parquet flooring.",
];
const TOWERS: &[&str] = &[
    "Carson Tower",
    "Aykon Heights",
    "Paramount Residences",
    "Majestine",
];
const HOSTILE: &[&str] = &[
    "<script>window.__pwned=1</script>Evil Contracting",
    "<img src=x onerror=\"window.__pwned=1\">",
    "\u{202E}gnitcartnoC lanoitanretnI\u{202C} LLC",
    "Robert'); DROP TABLE permits;--",
    "{{constructor.constructor('window.__pwned=1')()}}",
    "Al Mansoori General Maintenance, Technical Services, Building Contracting, Fit-Out, Interior Decoration and Integrated Facilities Management L.L.C. (Branch of the Abu Dhabi Head Office), Dubai Marina and Jumeirah Lake Towers Division, Tower Works Department",
    "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
    "شركة \u{202D}LTR-OVERRIDE\u{202C} للمقاولات \u{2067}isolate",
];

struct Dice(ChaCha8Rng);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0.random_range(0..n)
    }
    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn chance(&mut self, p: f64) -> bool {
        self.0.random_bool(p)
    }
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        self.0.random_range(lo..hi)
    }
}

/// Four towers of ten floors with five units each: 200 units.
fn properties(world: &mut World) -> Vec<Property> {
    let mut out = Vec::new();
    for (t, name) in TOWERS.iter().enumerate() {
        let id = world.mint_id();
        let mut flats = Vec::new();
        for floor in 1..=10 {
            for n in 1..=5 {
                flats.push(Flat {
                    id: world.mint_id(),
                    external_id: format!("UNIT-{floor:02}{n:02}"),
                    name: format!("{name} {floor:02}{n:02}"),
                });
            }
        }
        out.push(Property {
            id,
            external_id: format!("DAMAC-TWR-{:02}", t + 1),
            name: (*name).to_owned(),
            flats,
        });
    }
    out
}

fn uae_phone(dice: &mut Dice, serial: u64) -> String {
    let prefix = ["50", "52", "54", "55", "56", "58"][dice.below(6)];
    format!("+971{prefix}{:07}", serial % 10_000_000)
}

fn salesforce_id(prefix: &str, n: u64) -> String {
    // 18 characters, like a0B5g000000ABCDEAW.
    format!("{prefix}5g{n:010}AW")
}

/// Builds a world from a seed. `hostile` adds the hostile names.
pub fn build(
    seed: &Seed,
    seed_number: u64,
    hostile: bool,
    status_codes: &[(StatusName, i64)],
) -> Result<World, String> {
    let mut dice = Dice(ChaCha8Rng::seed_from_u64(seed_number));
    let mut world = World::new(DEFAULT_COMMUNITY_ID, Vec::new(), seed_number ^ 0x5eed);
    world.set_status_codes(status_codes)?;
    world.properties = properties(&mut world);

    let (permits, contractors) = match seed {
        Seed::Empty => (0, 0),
        Seed::Demo => (400, 60),
        Seed::Count(n) => (*n, (*n / 10).max(1)),
    };
    let now = world.now();
    let community = world.community_id.clone();

    // Contractors: 1/6 pending, 2/15 removed, the rest approved.
    let mut approved = Vec::new();
    let mut removed = Vec::new();
    for i in 0..contractors {
        let arabic = dice.chance(0.3);
        let person = if arabic {
            format!("{} {}", dice.pick(FIRST_AR), dice.pick(LAST_AR))
        } else {
            format!("{} {}", dice.pick(FIRST_EN), dice.pick(LAST_EN))
        };
        let mut company = if arabic && dice.chance(0.6) {
            dice.pick(COMPANY_AR).to_owned()
        } else {
            format!("{} LLC", dice.pick(COMPANY_EN))
        };
        if hostile && (i as usize) < HOSTILE.len() {
            company = HOSTILE[i as usize].to_owned();
        }
        let state = i % 15;
        let (is_approved, is_removed) = match state {
            0 | 7 => (false, false), // pending
            3 | 11 => (false, true), // removed
            _ => (true, false),
        };
        let expiry = now.0 + Duration::days(dice.between(-20, 700));
        let id = world.mint_id();
        let c = Contractor {
            id: id.clone(),
            name: Some(person),
            email: Some(format!("contractor{:05}@example.ae", i + 1)),
            phone: Some(uae_phone(&mut dice, 1_000_000 + i)),
            approved: is_approved,
            communities_ids: if is_removed {
                vec![]
            } else {
                vec![community.clone()]
            },
            company: Some(Company {
                company_name: Some(company),
                trade_license: Some(StoredDocument {
                    public_url: format!(
                        "https://cdn.buzz-in.co/public/communityContractors/license-{:05}.pdf",
                        i + 1
                    ),
                }),
                trade_license_expiry_date: Some(expiry.format("%Y-%m-%d").to_string()),
                insurance: None,
                safety_certifications: None,
            }),
            integrations: Some(ContractorIntegrations {
                damac: Some(DamacContractor {
                    salesforce_id: Some(salesforce_id("a0B", i + 1)),
                }),
            }),
            created_at: Some(Timestamp(now.0 - Duration::days(dice.between(30, 400)))),
            updated_at: Some(Timestamp(now.0 - Duration::days(dice.between(0, 30)))),
        };
        world.insert_contractor(c);
        if is_approved {
            approved.push(id);
        } else if is_removed {
            removed.push(id);
        }
    }
    if approved.is_empty() && contractors > 0 {
        return Ok(world);
    }

    // Permits: a status mix; removed contractors' permits are archived.
    for i in 0..permits {
        let roll = dice.below(100);
        let (status, contractor) = if !removed.is_empty() && roll < 7 {
            (
                StatusName::Archived,
                removed[dice.below(removed.len())].clone(),
            )
        } else {
            let status = match roll {
                0..=13 => StatusName::Draft,
                14..=22 => StatusName::Pending,
                23..=26 => StatusName::Rejected,
                27..=33 => StatusName::Revoked,
                34..=42 => StatusName::Expired,
                _ => StatusName::Accepted,
            };
            (status, approved[dice.below(approved.len())].clone())
        };
        let hours = |d: &mut Dice, lo, hi| Duration::hours(d.between(lo, hi));
        let (from, till) = match status {
            StatusName::Expired => {
                let till = now.0 - hours(&mut dice, 1, 24 * 60);
                (till - hours(&mut dice, 24, 24 * 90), till)
            }
            // About one accepted permit in eight ends within the next 24 hours.
            StatusName::Accepted if dice.chance(0.12) => {
                let till = now.0 + Duration::minutes(dice.between(20, 24 * 60));
                (till - hours(&mut dice, 24 * 3, 24 * 60), till)
            }
            _ => {
                let from = now.0 + hours(&mut dice, -24 * 30, 24 * 20);
                let mut till = from + hours(&mut dice, 24 * 2, 24 * 120);
                // Live permits end after the expiring notice window; ended ones may end any time.
                let live = matches!(
                    status,
                    StatusName::Draft | StatusName::Pending | StatusName::Accepted
                );
                let earliest =
                    now.0 + Duration::seconds(inf::EXPIRING_LEAD_SECS) + Duration::hours(1);
                if live && till < earliest {
                    till = earliest + hours(&mut dice, 0, 24 * 30);
                }
                (from, till)
            }
        };
        let property = &world.properties[dice.below(world.properties.len())];
        let flat = &property.flats[dice.below(property.flats.len())];
        let (property_id, flat_id, flat_ext) = (
            property.id.clone(),
            flat.id.clone(),
            flat.external_id.clone(),
        );
        let external_ids = inf::PERMITS_CARRY_EXTERNAL_IDS
            .then(|| (property.external_id.clone(), flat_ext.clone()));
        let accepted_ever = matches!(
            status,
            StatusName::Accepted | StatusName::Revoked | StatusName::Archived | StatusName::Expired
        );
        let pass_number = world.next_pass_number();
        let code = accepted_ever.then(|| world.new_access_code());
        let arabic = dice.chance(0.3);
        let rep = if arabic {
            format!("{} {}", dice.pick(FIRST_AR), dice.pick(LAST_AR))
        } else {
            format!("{} {}", dice.pick(FIRST_EN), dice.pick(LAST_EN))
        };
        let employees = (0..dice.between(1, 6))
            .map(|_| Employee {
                name: Some(format!("{} {}", dice.pick(FIRST_EN), dice.pick(LAST_EN))),
                phone: None,
                document_id: Some(format!(
                    "784-19{:02}-{:07}-{}",
                    dice.below(60) + 40,
                    dice.below(9_999_999),
                    dice.below(9)
                )),
            })
            .collect();
        let id = world.mint_id();
        let created = (from - Duration::days(3)).min(now.0 - Duration::hours(1));
        // Spread to the millisecond, as real edits are: many permits sharing one `updatedAt` would
        // be a community no API has.
        let updated = Timestamp(
            (created
                + Duration::minutes(dice.between(0, (now.0 - created).num_minutes().max(1)))
                + Duration::milliseconds(dice.between(0, 60_000)))
            .min(now.0),
        );
        let permit = Permit {
            id: id.clone(),
            pass_number: Some(pass_number.clone()),
            status: world.status_code(&status),
            status_name: Some(status.clone()),
            pass_type: Some("permits".into()),
            permit_type: Some(if dice.chance(0.7) {
                PermitType::BuildUp
            } else {
                PermitType::FitOut
            }),
            community_id: Some(community.clone()),
            property_id: Some(property_id),
            flat_id: Some(flat_id),
            property_external_id: external_ids.as_ref().map(|e| e.0.clone()),
            flat_external_id: external_ids.map(|e| e.1),
            additional_flat_ids: None,
            community_contractor_id: Some(contractor),
            valid_from: Some(Timestamp(from)),
            valid_till: Some(Timestamp(till)),
            time_in: Some(["07:00", "08:00", "09:00"][dice.below(3)].into()),
            time_out: Some(["17:00", "18:00", "20:00"][dice.below(3)].into()),
            representative_name: Some(if hostile && (i as usize) < HOSTILE.len() {
                HOSTILE[(i as usize + 1) % HOSTILE.len()].to_owned()
            } else {
                rep
            }),
            representative_contact: Some(uae_phone(&mut dice, 5_000_000 + i)),
            employees: Some(employees),
            jobs_summary: Some(if hostile && (i as usize) < HOSTILE.len() {
                HOSTILE[i as usize].to_owned()
            } else {
                format!("{} Unit {flat_ext}.", dice.pick(JOBS))
            }),
            access_code: code.clone(),
            qr_token: code.clone(),
            qr_image_base64: None,
            qr_image_url: code.as_ref().map(|_| {
                format!("https://cdn.buzz-in.co/public/permits/permit-{pass_number}-qr.png")
            }),
            permit_documentation_url: code
                .as_ref()
                .map(|_| format!("https://cdn.buzz-in.co/public/permits/permit-{pass_number}.pdf")),
            integrations: Some(PermitIntegrations {
                damac: Some(DamacPermit {
                    salesforce_id: Some(salesforce_id("a1B", i + 1)),
                    noc: Some(StoredNoc {
                        document: Some(StoredDocument {
                            public_url: format!("https://files.example.com/noc-{:05}.pdf", i + 1),
                        }),
                        noc_number: Some(format!("NOC-{:05}", i + 1)),
                        issue_date: Some(
                            (from - Duration::days(10)).format("%Y-%m-%d").to_string(),
                        ),
                        expiry_date: Some(
                            (till + Duration::days(20)).format("%Y-%m-%d").to_string(),
                        ),
                        replaced_at: None,
                    }),
                    noc_history: None,
                }),
            }),
            audit: None,
            created_at: Some(Timestamp(created)),
            updated_at: Some(updated),
        };
        world.insert_permit(permit);
        // Codes of permits that are no longer ACCEPTED are dead; seeded expiring notices count as sent.
        world.seeded_code_state(&id);
        if status == StatusName::Accepted
            && Timestamp(till - Duration::seconds(inf::EXPIRING_LEAD_SECS)) <= now
        {
            world.mark_expiring_sent(&id);
        }
    }
    Ok(world)
}
